//! YAML001–YAML004 are raised while loading (see `load`), YAML005 while modelling (see
//! `model::yaml11`); these are their ids.

pub const SYNTAX_ERROR: &str = "YAML001";
pub const UNRENDERED_TEMPLATE: &str = "YAML002";
pub const BINARY_OR_OVERSIZED: &str = "YAML003";
pub const DUPLICATE_KEY: &str = "YAML004";
pub const YAML11_AMBIGUOUS: &str = crate::model::yaml11::RULE;
