//! SEC4xx: secret producers and stores.

pub mod secret_store_not_found;
