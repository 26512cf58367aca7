//! Session tokens: 32 random bytes from the operating system, `sol_` + base64url; stored
//! only as their SHA-256.
//!
//! The bytes come straight from the OS CSPRNG (`getrandom`: `getrandom(2)` on Linux), not
//! from a user-space generator: a login happens seldom enough that the system call costs
//! nothing that matters, and there is no generator state in the process to seed, fork or
//! leak. 256 bits is twice the contract's minimum. The prefix (as in crates.io's `cio…` or
//! GitHub's `ghp_` tokens) lets secret scanners and people recognise a leaked token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// What every token starts with.
pub const PREFIX: &str = "sol_";
/// Random bytes per token.
const BYTES: usize = 32;
/// Length of a token: the prefix and 43 base64url characters.
pub const LEN: usize = PREFIX.len() + 43;

/// A new token.
pub(crate) fn nuevo() -> Result<String, ServiceError> {
    let mut bytes = [0u8; BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Internal(format!("the OS random generator failed: {e}")))?;
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The SHA-256 of `token`, or `None` when it does not even look like a token (so junk never
/// reaches the database).
pub(crate) fn hash(token: &str) -> Option<[u8; 32]> {
    let body = token.strip_prefix(PREFIX)?;
    let well_formed = token.len() == LEN
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return None;
    }
    let digest = Sha256::digest(token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_token_nuevo_tiene_prefijo_longitud_y_hash() {
        let a = nuevo().unwrap();
        let b = nuevo().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("sol_"));
        assert_eq!(a.len(), LEN);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a[4..]).unwrap().len(), 32);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn lo_que_no_parece_un_token_no_se_busca() {
        let t = nuevo().unwrap();
        for junk in [
            "",
            "sol_",
            &t[4..],
            &format!("{t}x"),
            &t.replace("sol_", "SOL_"),
            &format!("sol_{}", "=".repeat(43)),
        ] {
            assert_eq!(hash(junk), None, "{junk:?}");
        }
    }
}
