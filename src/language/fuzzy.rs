//! "Did you mean": the closest known word to a misspelt one. Distance is
//! optimal string alignment, so a swap of two letters (`monye`) counts once.

/// The candidate closest to `word`, if it is close enough to be a likely
/// misspelling: at most a third of its characters differ (at least one may,
/// so a one-character Chinese name still gets a suggestion), or the two
/// differ only in case.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let len = word.chars().count();
    let allowed = (len / 3).max(1);
    let letters = letters(word);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        // Cheap bounds first (a policy with thousands of unknown names
        // asks thousands of times over thousands of names): a word of
        // another length, or with letters the other lacks, needs at least
        // that many edits.
        .filter(|c| {
            let other = c.chars().count();
            other.abs_diff(len) <= allowed
                && (letters & !self::letters(c)).count_ones() as usize <= allowed
        })
        .map(|c| {
            let distance = if c.eq_ignore_ascii_case(word) {
                0
            } else {
                strsim::osa_distance(word, c)
            };
            (distance, c)
        })
        .filter(|(distance, c)| *distance <= allowed && *distance < c.chars().count().max(1))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Which of 64 groups the word's letters fall in (ASCII letters by their
/// lower case, so that a difference of case costs nothing): a group set
/// here and not in another word's stands for a letter only this one has.
fn letters(word: &str) -> u64 {
    word.chars().fold(0, |set, c| {
        let c = c.to_ascii_lowercase() as u32;
        set | 1 << (c.wrapping_mul(0x9E37_79B9) >> 26)
    })
}

/// `text` with full-width letters and digits (`Ａ`, `１`) as their ASCII
/// forms, when it has any: what a Chinese input method typed for `A`, `1`.
pub fn half_width(text: &str) -> Option<String> {
    let mut changed = false;
    let out: String = text
        .chars()
        .map(|c| match c {
            'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '０'..='９' => {
                changed = true;
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_close_words_only() {
        let words = ["money", "percent", "number", "score"];
        assert_eq!(closest("monye", words), Some("money"));
        assert_eq!(closest("Money", words), Some("money"));
        assert_eq!(closest("numbr", words), Some("number"));
        assert_eq!(closest("banana", words), None);
        assert_eq!(
            closest("成交额", ["成交目标", "成交金额"]),
            Some("成交金额")
        );
        assert_eq!(closest("营业", ["营业额"]), Some("营业额"));
    }

    /// The cheap bounds only skip words that are too far anyway: the
    /// suggestion is the one comparing every word in full gives, over
    /// random words of Latin and Chinese letters.
    #[test]
    fn the_bounds_never_change_a_suggestion() {
        let full = |word: &str, candidates: &[String]| {
            let allowed = (word.chars().count() / 3).max(1);
            candidates
                .iter()
                .filter(|c| *c != word)
                .map(|c| {
                    let d = if c.eq_ignore_ascii_case(word) {
                        0
                    } else {
                        strsim::osa_distance(word, c)
                    };
                    (d, c.as_str())
                })
                .filter(|(d, c)| *d <= allowed && *d < c.chars().count().max(1))
                .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
                .map(|(_, c)| c.to_string())
        };
        let letters = ['a', 'b', 'C', 'c', '成', '交', '额', '目', '标', '1'];
        let mut x: u32 = 0x9E37_79B9;
        let mut word = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (0..1 + x % 7)
                .map(|i| letters[((x >> (i * 3)) % letters.len() as u32) as usize])
                .collect::<String>()
        };
        let mut suggested = 0;
        for _ in 0..300 {
            let candidates: Vec<String> = (0..40).map(|_| word()).collect();
            for _ in 0..20 {
                let w = word();
                let expected = full(&w, &candidates);
                suggested += usize::from(expected.is_some());
                let got = closest(&w, candidates.iter().map(String::as_str)).map(str::to_string);
                assert_eq!(got, expected, "{w} among {candidates:?}");
            }
        }
        assert!(suggested > 500, "{suggested}");
    }
}
