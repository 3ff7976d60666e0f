//! The employee ids a run has seen, packed: one per employee of the file.

use super::*;

/// The employee ids seen so far, kept small because there is one per
/// employee: every id's bytes end to end in one arena, and where each id
/// starts and the row it was first seen on in `seen`.
///
/// While the ids come in ascending order (a file sorted by employee id, as
/// payroll exports usually are), a new id is told from the ones before by
/// comparing it with the last: nothing else is looked up, and no table is
/// made. The first id out of order puts every id seen so far in a table from
/// a 32-bit hash of the id to its place in `seen` (some 30 bytes plus the id
/// per employee, against some 60 for a map of strings), which every later id
/// is then looked up in: an unsorted file does the work it always did, once
/// more for the ids before the first out of order. A million lookups in a
/// table far larger than the processor's caches cost about a tenth of a
/// second of the reading thread, which is what the sorted file saves.
///
/// Ids that share a hash are told apart by comparing their bytes, so the
/// answer is exact; the rare later id with a hash already taken is kept
/// whole in `others`.
pub(super) struct SeenIds {
    pub(super) arena: String,
    pub(super) seen: Vec<SeenId>,
    /// Every id so far is greater than the one before it, and `by_hash` is
    /// empty.
    pub(super) ascending: bool,
    pub(super) by_hash: HashMap<u32, u32>,
    pub(super) others: HashMap<Box<str>, usize>,
    /// The hash of an id (a field so that tests can make ids collide).
    pub(super) hash: fn(&str) -> u32,
}

#[derive(Clone, Copy)]
pub(super) struct SeenId {
    pub(super) start: u32,
    pub(super) row: u32,
}

impl Default for SeenIds {
    fn default() -> SeenIds {
        SeenIds {
            arena: String::new(),
            seen: Vec::new(),
            ascending: true,
            by_hash: HashMap::new(),
            others: HashMap::new(),
            hash: |id| {
                let mut h = DefaultHasher::new();
                id.hash(&mut h);
                // The low half of the hash: collisions are resolved below.
                h.finish() as u32
            },
        }
    }
}

impl SeenIds {
    /// Room for `ids` ids in all, as long as the ids seen so far. The table
    /// is made when it is first needed, as large as `seen` can grow.
    pub(super) fn reserve(&mut self, ids: usize) {
        let more = ids.saturating_sub(self.seen.len());
        let length = self.arena.len() / self.seen.len().max(1);
        if !self.ascending {
            self.by_hash.reserve(more);
        }
        self.seen.reserve(more);
        self.arena.reserve(more.saturating_mul(length));
    }

    /// The row an id was first seen on, or `None` (and the id is recorded).
    pub(super) fn first_row(&mut self, id: &str, row: usize) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        if self.ascending {
            let last = (self.seen.last()).and_then(|last| self.arena.get(last.start as usize..));
            if last.is_none_or(|last| id > last) && self.record(id, row).is_some() {
                return None;
            }
            self.leave_ascending();
        }
        let hash = (self.hash)(id);
        match self.by_hash.entry(hash) {
            Entry::Occupied(place) => {
                let place = *place.get() as usize;
                if id_at(&self.arena, &self.seen, place) == Some(id) {
                    return Some(self.seen[place].row as usize);
                }
                // A different id with the same hash.
                Self::first_row_of_other(&mut self.others, id, row)
            }
            Entry::Vacant(slot) => {
                let fits = (
                    u32::try_from(self.arena.len() + id.len()),
                    u32::try_from(row),
                    u32::try_from(self.seen.len()),
                );
                let (Ok(_), Ok(row), Ok(place)) = fits else {
                    // Beyond four billion rows or bytes: keep it whole.
                    return Self::first_row_of_other(&mut self.others, id, row);
                };
                slot.insert(place);
                self.seen.push(SeenId {
                    start: self.arena.len() as u32,
                    row,
                });
                self.arena.push_str(id);
                None
            }
        }
    }

    /// Records `id` at the end of `seen`, returning its place, or `None`
    /// (and nothing recorded) beyond four billion rows or bytes.
    pub(super) fn record(&mut self, id: &str, row: usize) -> Option<u32> {
        let start = u32::try_from(self.arena.len()).ok()?;
        u32::try_from(start as usize + id.len()).ok()?;
        let row = u32::try_from(row).ok()?;
        let place = u32::try_from(self.seen.len()).ok()?;
        self.seen.push(SeenId { start, row });
        self.arena.push_str(id);
        Some(place)
    }

    /// An id came out of order: every id so far goes into the table. They
    /// are all different, so an id whose hash is taken goes to `others`.
    pub(super) fn leave_ascending(&mut self) {
        self.ascending = false;
        let SeenIds {
            arena,
            seen,
            by_hash,
            others,
            hash,
            ..
        } = self;
        by_hash.reserve(seen.capacity());
        for (place, first) in seen.iter().enumerate() {
            let Some(id) = id_at(arena, seen, place) else {
                continue;
            };
            match by_hash.entry(hash(id)) {
                // `record` keeps places within 32 bits.
                Entry::Vacant(slot) => {
                    slot.insert(place as u32);
                }
                Entry::Occupied(_) => {
                    others.insert(id.into(), first.row as usize);
                }
            }
        }
    }

    pub(super) fn first_row_of_other(
        others: &mut HashMap<Box<str>, usize>,
        id: &str,
        row: usize,
    ) -> Option<usize> {
        match others.entry(id.into()) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// The id at `place` in `seen`: it ends where the next one starts.
pub(super) fn id_at<'a>(arena: &'a str, seen: &[SeenId], place: usize) -> Option<&'a str> {
    let start = seen.get(place)?.start as usize;
    let end = seen
        .get(place + 1)
        .map_or(arena.len(), |next| next.start as usize);
    arena.get(start..end)
}
