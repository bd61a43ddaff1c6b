//! API5xx: versions and schema. API505 type errors are raised by the model's reader.

pub const SCHEMA_VIOLATION: &str = "API505";
