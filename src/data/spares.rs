//! Buffers handed back for reuse once another thread is done with them.
//!
//! The batch pipeline moves large buffers between threads (a block of a
//! CSV file's text, a chunk's rendered lines). Made fresh each time, a
//! buffer that size comes from new pages of memory, which the system
//! clears first: that cost more than reading the text into it (page
//! clearing was a fifteenth of a million-row run). Handed back, the same
//! few buffers go round.

use std::sync::Mutex;

/// At most this many buffers wait to be reused: as many as can be in
/// flight, a few dozen.
const KEPT: usize = 32;

/// Spare buffers of one kind, shared between threads.
#[derive(Debug)]
pub(crate) struct Spares<T>(Mutex<Vec<T>>);

impl<T> Default for Spares<T> {
    fn default() -> Self {
        Spares(Mutex::new(Vec::new()))
    }
}

impl<T: Default> Spares<T> {
    /// A spare buffer, or a new one when none is spare.
    pub(crate) fn take(&self) -> T {
        let spare = self.0.lock().ok().and_then(|mut spares| spares.pop());
        spare.unwrap_or_default()
    }

    /// Keeps `buffer` (emptied by the caller) for reuse, unless enough are kept.
    pub(crate) fn give(&self, buffer: T) {
        if let Ok(mut spares) = self.0.lock()
            && spares.len() < KEPT
        {
            spares.push(buffer);
        }
    }
}
