//! Keeps addresses out of logs and error columns: `anna@example.dk` becomes `a***@example.dk`.

fn is_local(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'".contains(c)
}

fn is_domain(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// Replaces the local part of every address in `text` with its first character and `***`.
pub fn mask_addresses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
        if at < start {
            continue;
        }
        let mut local = at;
        while local > start && is_local(chars[local - 1]) {
            local -= 1;
        }
        let domain_end = chars[at + 1..]
            .iter()
            .position(|c| !is_domain(*c))
            .map_or(chars.len(), |n| at + 1 + n);
        if local == at || domain_end == at + 1 {
            continue;
        }
        out.extend(&chars[start..=local]);
        out.push_str("***@");
        out.extend(&chars[at + 1..domain_end]);
        start = domain_end;
    }
    out.extend(&chars[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_addresses;

    #[test]
    fn addresses_keep_only_their_first_letter_and_domain() {
        assert_eq!(
            mask_addresses("550 <anna.jensen@example.dk>: rejected, cc bo@x.dk"),
            "550 <a***@example.dk>: rejected, cc b***@x.dk"
        );
    }

    #[test]
    fn text_without_addresses_is_unchanged() {
        assert_eq!(
            mask_addresses("connection refused @ port 25"),
            "connection refused @ port 25"
        );
    }
}
