//! What a key's field policy does to a model's schema: the fields it hides leave the schema every tool
//! reads, and using one is refused with a `Denial` that says why. Here rather than in `odoo`, because
//! the policy and the refusal are this layer's; `odoo::derived` only says which fields carry which.

use crate::access::{FieldMode, FieldPolicy};
use crate::odoo::derived;
use crate::odoo::schema::ModelSchema;
use crate::policy::permissions::Denial;
use std::collections::{BTreeMap, BTreeSet};

/// A model's schema under a field policy.
pub trait Restrict {
    /// This schema (of `model`) as a field policy lets a key see it: the fields it hides move to `hidden`,
    /// so that every reader of the schema (field choice, defaults, descriptions, domains, orderings) leaves
    /// them out. A deny-list also hides the fields derived from those it names; an allow-list shows exactly
    /// the fields it names, derived or not: the administrator chose each one.
    fn restricted(&self, model: &str, policy: &FieldPolicy) -> ModelSchema;

    /// The refusal for using `field`, which this schema hides.
    fn denial(&self, model: &str, field: &str) -> Denial;
}

impl Restrict for ModelSchema {
    fn restricted(&self, model: &str, policy: &FieldPolicy) -> ModelSchema {
        // Built by insertion rather than `collect` (which sorts first): one sort's code less in the bundle.
        let mut hidden = BTreeSet::new();
        for name in self.fields.keys().filter(|name| !policy.allows(name)) {
            hidden.insert(name.clone());
        }
        let derived = match policy.mode {
            FieldMode::Deny => derived::derived_from(model, &self.fields, &hidden),
            FieldMode::Allow => BTreeMap::new(),
        };
        hidden.extend(derived.keys().cloned());
        let mut fields = BTreeMap::new();
        for (name, field) in self.fields.iter().filter(|(name, _)| !hidden.contains(*name)) {
            fields.insert(name.clone(), field.clone());
        }
        ModelSchema { fields, hidden, derived }
    }

    fn denial(&self, model: &str, field: &str) -> Denial {
        Denial::FieldHidden {
            model: model.to_string(),
            field: field.to_string(),
            derived_from: self.derived.get(field).cloned(),
        }
    }
}
