// A node:test reporter (`node --test --test-reporter=<this file>`) that writes what the harness counts,
// one JSON object a line: each failed test (`fail`: its name with its parents', file, line, failure
// type, the start of the error) and the run's closing totals (`summary`: the `test:summary` event with
// no file, the counts the spec reporter prints as `ℹ pass N` etc.). node-test.mjs reads it back.

export default async function* jsonLines(source) {
  const names = []; // the name of the test being reported at each nesting level
  for await (const event of source) {
    const { type, data } = event;
    if (type === "test:start") {
      names[data.nesting] = data.name;
      names.length = data.nesting + 1;
    } else if (type === "test:fail") {
      const path = [...names.slice(0, data.nesting), data.name].join(" > ");
      const error = data.details?.error;
      yield `${JSON.stringify({
        type: "fail",
        name: path,
        file: data.file,
        line: data.line,
        failureType: error?.failureType,
        error: String(error?.cause?.message ?? error?.message ?? "").slice(0, 300),
      })}\n`;
    } else if (type === "test:summary" && data.file === undefined) {
      yield `${JSON.stringify({ type: "summary", counts: data.counts, success: data.success })}\n`;
    }
  }
}
