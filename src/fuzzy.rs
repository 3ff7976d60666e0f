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
    candidates
        .into_iter()
        .filter(|c| *c != word)
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
}
