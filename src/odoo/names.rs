//! Odoo's naming rules for models and fields: what a name must look like before it is sent to Odoo,
//! stored, or put in a message. Every layer that checks a name checks it here.

/// Whether a string is shaped like an Odoo field name (`email`, `x_studio_rating`).
pub fn is_field_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether a string is shaped like an Odoo model name (`res.partner`, `x_custom.model`).
pub fn is_model_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names() {
        assert!(is_model_name("res.partner"));
        assert!(is_model_name("x_studio.thing_2"));
        assert!(!is_model_name("res..partner"));
        assert!(!is_model_name("Res.Partner"));
        assert!(!is_model_name("res.partner; drop"));
        assert!(!is_model_name(""));
    }

    #[test]
    fn field_names() {
        assert!(is_field_name("email") && is_field_name("x_studio_rating"));
        assert!(!is_field_name("Email; drop") && !is_field_name("") && !is_field_name(&"a".repeat(129)));
    }
}
