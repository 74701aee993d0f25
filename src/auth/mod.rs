//! Authentication: passwords, access tokens (JWT), refresh tokens, and the `Caller`
//! extractor a handler takes to know who is asking. Authorization rules live in `policy`.

pub mod caller;
pub mod password;
pub mod policy;
pub mod secret;
pub mod token;

pub use caller::Caller;
pub use token::{Claims, TokenKeys};
