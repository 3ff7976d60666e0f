//! Positions in a text as editors count them: a line, and a column in
//! UTF-16 code units (what the Language Server Protocol and browsers use),
//! to and from the byte offsets kpi's spans hold. A Chinese character is
//! three bytes and one unit, an emoji four bytes and two units; `\r\n` and a
//! lone `\r` end a line as `\n` does.

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// The byte offset each line starts at; the first is 0.
    starts: Vec<usize>,
    len: usize,
}

/// A line and a UTF-16 column, both from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                // `\r\n` is one line end, at its `\n`; a lone `\r` is one.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The position of byte `offset` of `text` (the text this index was
    /// made from); an offset inside a character is taken as its start, one
    /// past the end as the end.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = text
            .get(start..)
            .unwrap_or_default()
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .map(|(_, c)| c.len_utf16())
            .sum();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of `position` in `text`: a column past the line's
    /// end is its end (before the line break), a line past the last is the
    /// end of the text, and a column inside a surrogate pair its character's
    /// start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.len;
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let line = text.get(start..end).unwrap_or_default();
        let line = line.trim_end_matches(['\n', '\r']);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.column as usize {
                return start + i;
            }
            units += c.len_utf16();
            if units > position.column as usize {
                return start + i;
            }
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn chinese_emoji_and_line_ends_are_counted_as_editors_count_them() {
        let text = "input 成交额 money \"😀 deal\"\r\n  x\ry\nz";
        let index = LineIndex::new(text);
        // 成 is three bytes, one unit.
        let cheng = text.find('成').unwrap_or_default();
        assert_eq!(index.position(text, cheng), at(0, 6));
        assert_eq!(index.position(text, cheng + 3), at(0, 7));
        // After the emoji (four bytes, two units).
        let after = text.find(" deal").unwrap_or_default();
        assert_eq!(index.position(text, after), at(0, 19));
        // `\r\n`, then a lone `\r`, each end a line.
        assert_eq!(
            index.position(text, text.find('x').unwrap_or_default()),
            at(1, 2)
        );
        assert_eq!(
            index.position(text, text.rfind('y').unwrap_or_default()),
            at(2, 0)
        );
        assert_eq!(index.position(text, text.len()), at(3, 1));
        // And back.
        assert_eq!(index.offset(text, at(0, 6)), cheng);
        assert_eq!(index.offset(text, at(0, 19)), after);
        // Inside the emoji's pair: its start; past a line's end: the end.
        assert_eq!(index.offset(text, at(0, 18)), after - 4);
        assert_eq!(
            index.offset(text, at(1, 99)),
            text.find('\r').map_or(0, |r| r + 5)
        );
        assert_eq!(index.offset(text, at(9, 0)), text.len());
    }

    /// Every character of a text round-trips: offset → position → offset,
    /// as rust-analyzer's line index is tested.
    #[test]
    fn every_character_round_trips() {
        let mut text = String::new();
        for (i, c) in ['a', '成', '😀', '\n', 'é', '\r', '「', '𝄞', ' ', '\t']
            .iter()
            .cycle()
            .take(2_000)
            .enumerate()
        {
            text.push(*c);
            if i % 37 == 0 {
                text.push_str("\r\n");
            }
        }
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices() {
            let position = index.position(&text, offset);
            // A `\n` after `\r` belongs to the `\r`'s line end.
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            assert_eq!(index.offset(&text, position), offset, "{position:?}");
        }
    }
}
