//! rebalance
