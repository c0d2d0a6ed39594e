//! FNV-1a (the FNV reference's offset bases and primes), 64 and 128 bits, over an explicit
//! encoding of fields: each string is length-prefixed, so ("ab", "c") and ("a", "bc") differ, and
//! the result is the same on every platform and version. It names content (an operation's, a
//! message's); it is not a cryptographic hash.

/// The hash state of one width.
pub(crate) trait Word: Copy {
    /// The offset basis.
    const OFFSET: Self;
    /// Folds one byte in: xor, then multiply by the prime (wrapping).
    fn step(self, byte: u8) -> Self;
}

impl Word for u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    fn step(self, byte: u8) -> u64 {
        (self ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    }
}

impl Word for u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    fn step(self, byte: u8) -> u128 {
        (self ^ u128::from(byte)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b)
    }
}

/// FNV-1a of width `W` over fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv<W: Word>(pub(crate) W);

impl<W: Word> Default for Fnv<W> {
    fn default() -> Fnv<W> {
        Fnv(W::OFFSET)
    }
}

impl<W: Word> Fnv<W> {
    /// Raw bytes, as they are.
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.step(*b);
        }
    }
    /// A number, little-endian.
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    /// Bytes prefixed by their length.
    pub(crate) fn sized(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.bytes(b);
    }
    /// A string prefixed by its length.
    pub(crate) fn str(&mut self, s: &str) {
        self.sized(s.as_bytes());
    }
    /// An optional string: a presence byte, then the string.
    pub(crate) fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bytes(&[1]);
                self.str(s);
            }
            None => self.bytes(&[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fnv;

    /// The FNV reference vectors (computed independently, with Python's integers, from the
    /// published offset bases and primes).
    #[test]
    fn fnv1a_matches_the_reference() {
        let h64 = |s: &str| {
            let mut d = Fnv::<u64>::default();
            d.bytes(s.as_bytes());
            format!("{:016x}", d.0)
        };
        let h128 = |s: &str| {
            let mut d = Fnv::<u128>::default();
            d.bytes(s.as_bytes());
            format!("{:032x}", d.0)
        };
        assert_eq!(h64(""), "cbf29ce484222325");
        assert_eq!(h64("a"), "af63dc4c8601ec8c");
        assert_eq!(h64("foobar"), "85944171f73967e8");
        assert_eq!(h128(""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(h128("a"), "d228cb696f1a8caf78912b704e4a8964");
        assert_eq!(h128("foobar"), "343e1662793c64bf6f0d3597ba446f18");
    }
}
