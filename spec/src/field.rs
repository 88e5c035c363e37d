//! Bit fields of the record and command words.

/// One field of a packed word: the hardware packs and unpacks with the same
/// `lsb`/`width` the software uses, so layouts cannot drift apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub lsb: u32,
    pub width: u32,
}

impl Field {
    pub const fn new(name: &'static str, lsb: u32, width: u32) -> Self {
        Self { name, lsb, width }
    }

    /// The largest value the field can hold.
    pub const fn max(self) -> u64 {
        (1u64 << self.width) - 1
    }

    pub const fn get(self, word: u64) -> u64 {
        (word >> self.lsb) & self.max()
    }

    /// Returns `word` with this field replaced by `value`; `None` when the
    /// value does not fit, so a caller cannot silently truncate a field.
    pub const fn put(self, word: u64, value: u64) -> Option<u64> {
        if value > self.max() {
            return None;
        }
        Some((word & !(self.max() << self.lsb)) | (value << self.lsb))
    }
}

/// Checks that a set of fields fits in `bits` and that no two overlap.
pub const fn layout_is_sound(fields: &[Field], bits: u32) -> bool {
    let mut used: u64 = 0;
    let mut i = 0;
    while i < fields.len() {
        let f = fields[i];
        if f.width == 0 || f.lsb + f.width > bits {
            return false;
        }
        let m = f.max() << f.lsb;
        if used & m != 0 {
            return false;
        }
        used |= m;
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_rejects_values_that_do_not_fit() {
        let f = Field::new("f", 4, 3);
        assert_eq!(f.put(0, 7), Some(0x70));
        assert_eq!(f.put(0, 8), None);
        assert_eq!(f.get(0xFFFF_FF7F), 7);
        assert_eq!(f.put(0xFFFF, 0), Some(0xFF8F));
    }

    #[test]
    fn overlapping_layouts_are_rejected() {
        let a = Field::new("a", 0, 4);
        let b = Field::new("b", 3, 2);
        assert!(!layout_is_sound(&[a, b], 32));
        assert!(layout_is_sound(&[a], 4));
        assert!(!layout_is_sound(&[a], 3));
    }
}
