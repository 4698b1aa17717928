//! What the server offers to MCP clients. Each tool lives in its own file with its schema,
//! annotations and handler side by side.

pub mod call;
pub mod completion;
pub mod cursor;
pub mod pages;
pub mod prompts;
pub mod resources;
pub mod sources;
pub mod tools;
