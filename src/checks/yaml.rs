//! YAML001–YAML004 are raised while loading (see `load`); these are their ids.

pub const SYNTAX_ERROR: &str = "YAML001";
pub const UNRENDERED_TEMPLATE: &str = "YAML002";
pub const BINARY_OR_OVERSIZED: &str = "YAML003";
pub const DUPLICATE_KEY: &str = "YAML004";
