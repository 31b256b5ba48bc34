//! Historical data loaders.
