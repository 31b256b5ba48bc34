//! cashflow
