//! The person's approval as a tool call meets it: `ToolCtx::approve`, called by a tool just before the
//! step that cannot be undone (the `unlink` of `odoo_delete`, the button method of `odoo_action`, the
//! first operation of an `odoo_batch` holding either), after every check and the reads that name the
//! records. When the key's `Approval` names the operation, the question goes to the person
//! (`mcp::approval`); the call goes on only on their approval, and the audit says asked, approved,
//! declined (or that they could not be asked), never the records' names.

use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError};
use crate::mcp::approval::{self, Call, Refusal, Verdict};
use crate::store::AuditEvent;

impl ToolCtx<'_> {
    /// Goes on (`Ok`) when none of `ops` needs approval on this key, or this call was approved already,
    /// or the person approves `question` now. `what` says the same in a few words for the audit (no
    /// record names); `reserve` is the subrequests the call needs once approved.
    pub async fn approve(
        &self,
        ops: &[Operation],
        what: &str,
        reserve: u32,
        question: impl FnOnce() -> String,
    ) -> Result<(), ToolError> {
        if !self.needs_approval(ops) {
            return Ok(());
        }
        let verdict = {
            let Some((tool, arguments)) = self.call.get() else {
                // Only `tools/call` binds a call; nothing else runs what needs approval.
                return Err(ToolError::NotApproved(Refusal::Unable(
                    "This runs only after the person approves it, and it was not called as a tool.".into(),
                )));
            };
            approval::ask(self.req, &Call { tool, arguments }, &question(), reserve)
                .await
                .map_err(|_| ToolError::Cancelled)?
        };
        let stateless = self.req.is_stateless();
        match verdict {
            Verdict::Approved => {
                // In 2026-07-28 the question was asked (and audited) by the request before this one.
                if !stateless {
                    self.audit_approval("approval_asked", "asked", what);
                }
                self.audit_approval("approval_approved", "approved", what);
                self.approved.set(true);
                Ok(())
            }
            Verdict::Ask(result) => {
                self.audit_approval("approval_asked", "asked", what);
                Err(ToolError::AskPerson(result))
            }
            Verdict::Refused(refusal) => {
                match &refusal {
                    Refusal::Unable(_) => self.audit_approval("approval_unavailable", refusal.outcome(), what),
                    _ => {
                        if !stateless && refusal != Refusal::AlreadyUsed && refusal != Refusal::Invalid {
                            self.audit_approval("approval_asked", "asked", what);
                        }
                        self.audit_approval("approval_declined", refusal.outcome(), what);
                    }
                }
                Err(ToolError::NotApproved(refusal))
            }
        }
    }

    /// Whether `approve(ops, …)` would ask (so that a tool reads the records' names only then).
    pub fn needs_approval(&self, ops: &[Operation]) -> bool {
        !self.approved.get() && ops.iter().any(|op| self.req.auth.approval.requires(*op))
    }

    fn audit_approval(&self, event: &'static str, outcome: &'static str, what: &str) {
        let auth = self.req.auth;
        let model = self.model();
        self.req.defer(
            AuditEvent {
                tool: self.call.get().map(|(tool, _)| tool.as_str()),
                model: model.as_deref(),
                detail: Some(what),
                ..auth.audit_event(event, outcome)
            }
            .stmt(self.req.svc.now),
        );
    }
}

/// The records a question names, one per line: `- name (id 7)`, at most `MAX_LISTED` of them.
pub fn record_lines(records: &[(i64, Option<String>)]) -> String {
    const MAX_LISTED: usize = 20;
    let mut lines: Vec<String> = records
        .iter()
        .take(MAX_LISTED)
        .map(|(id, name)| match name {
            Some(n) => format!("- {} (id {id})", crate::text::truncate(n, 120)),
            None => format!("- id {id}"),
        })
        .collect();
    if records.len() > MAX_LISTED {
        lines.push(format!("- and {} more", records.len() - MAX_LISTED));
    }
    lines.join("\n")
}
