pub mod lots;
pub mod wash;
