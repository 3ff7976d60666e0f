//! Values by name, in the policy's order: an outcome's indicator points,
//! adjustments and pay. Read like a map (`outcome.pay["绩效工资"]`,
//! `.get`, `.iter`), serialized as one; but the names are the compiled
//! plan's, shared, so an outcome costs one allocation per map and no
//! hashing (a million-row run builds a million outcomes).

use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The name of an indicator, bonus or deduction item, or pay item.
pub type Name = Arc<str>;

#[derive(Clone, PartialEq, Eq)]
pub struct Scores<V> {
    /// Shared with the compiled plan: every outcome of a plan points here.
    names: Arc<[Name]>,
    /// One per name, or fewer (the names past the last value are absent).
    values: Vec<V>,
}

impl<V> Scores<V> {
    /// The first `values.len()` of `names`, each with its value, in place of
    /// what these scores held (their buffer is reused).
    pub(crate) fn refill(&mut self, names: &Arc<[Name]>, values: impl Iterator<Item = V>) {
        if !Arc::ptr_eq(&self.names, names) {
            self.names = Arc::clone(names);
        }
        self.values.clear();
        self.values.extend(values);
    }

    /// Whether these scores' names are `names` themselves.
    pub(crate) fn shares_names(&self, names: &Arc<[Name]>) -> bool {
        Arc::ptr_eq(&self.names, names)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of `name`. There are a few dozen names at most, so a scan
    /// beats a hash.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.iter().find(|(n, _)| ***n == *name).map(|(_, v)| v)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The name and value at position `i`.
    pub fn get_index(&self, i: usize) -> Option<(&Name, &V)> {
        Some((self.names.get(i)?, self.values.get(i)?))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Name, &V)> + ExactSizeIterator {
        self.names.iter().zip(self.values.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Name> + ExactSizeIterator {
        self.names.iter().take(self.values.len())
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.values.iter()
    }
}

impl<'a, V> IntoIterator for &'a Scores<V> {
    type Item = (&'a Name, &'a V);
    type IntoIter = std::iter::Zip<std::slice::Iter<'a, Name>, std::slice::Iter<'a, V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.names.iter().zip(self.values.iter())
    }
}

/// `scores["name"]`, as a map is indexed: a name that is not there is a
/// bug in the caller (use [`Scores::get`] where it may be absent).
/// No names and no values.
impl<V> Default for Scores<V> {
    fn default() -> Self {
        Scores {
            names: Arc::default(),
            values: Vec::new(),
        }
    }
}

impl<V> std::ops::Index<&str> for Scores<V> {
    type Output = V;

    #[allow(clippy::panic)]
    fn index(&self, name: &str) -> &V {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no `{name}` among {:?}", self.names),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for Scores<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Serialize> Serialize for Scores<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self {
            map.serialize_entry(&**name, value)?;
        }
        map.end()
    }
}

/// The names of an outcome's maps, made once per plan when it is compiled
/// and shared by every outcome of the plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutcomeKeys {
    pub(crate) indicators: std::sync::Arc<[Name]>,
    pub(crate) adjustments: std::sync::Arc<[Name]>,
    pub(crate) pay: std::sync::Arc<[Name]>,
}

impl OutcomeKeys {
    /// Whether maps with these names were made from these keys (the same
    /// shared names, not only equal ones).
    pub fn made(
        &self,
        indicators: &Scores<Option<rust_decimal::Decimal>>,
        adjustments: &Scores<rust_decimal::Decimal>,
    ) -> bool {
        indicators.shares_names(&self.indicators) && adjustments.shares_names(&self.adjustments)
    }

    pub fn new(policy: &crate::language::checked::CheckedPolicy) -> OutcomeKeys {
        OutcomeKeys {
            indicators: policy
                .indicators
                .iter()
                .map(|i| i.name.as_str().into())
                .collect(),
            adjustments: policy
                .adjustments
                .iter()
                .map(|a| a.name.as_str().into())
                .collect(),
            pay: policy.pay.iter().map(|p| p.name.as_str().into()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_map_in_the_order_of_the_names() {
        let names: Arc<[Name]> = ["成交", "结汇", "差错"].map(Name::from).into();
        let mut scores = Scores::default();
        assert!(scores.is_empty());
        scores.refill(&names, [75, 100].into_iter());
        assert_eq!(scores.len(), 2);
        assert_eq!(scores["结汇"], 100);
        assert_eq!(scores.get("成交"), Some(&75));
        assert_eq!(scores.get("差错"), None, "past the last value: absent");
        assert!(!scores.contains_key("差错"));
        assert_eq!(
            scores.keys().map(|k| &**k).collect::<Vec<_>>(),
            ["成交", "结汇"]
        );
        assert_eq!(
            scores.get_index(1).map(|(k, v)| (&**k, *v)),
            Some(("结汇", 100))
        );
        assert_eq!(format!("{scores:?}"), r#"{"成交": 75, "结汇": 100}"#);
        assert_eq!(
            serde_json::to_string(&scores).ok().as_deref(),
            Some(r#"{"成交":75,"结汇":100}"#)
        );
        // Refilled in place: the values before are gone, the names kept.
        scores.refill(&names, [60].into_iter());
        assert_eq!(format!("{scores:?}"), r#"{"成交": 60}"#);
        let others: Arc<[Name]> = ["提案"].map(Name::from).into();
        scores.refill(&others, [5].into_iter());
        assert_eq!(format!("{scores:?}"), r#"{"提案": 5}"#);
    }
}
