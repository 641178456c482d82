// CSV tables and trainTestSplit: parsing (quotes, delimiters, CRLF, blank lines), numeric and
// text columns, missing cells, reading a file, the notebook display, splits that keep rows
// together, and the error messages.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { t, assert, assertClose } from "./helpers";

const { data } = t;

describe("CSV tables", () => {
  const text = [
    "species,bill length,mass,note",
    'Adelie,39.1,3750,"calm, small"',
    "Gentoo,46.5,,",
    'Adelie,38.6,3800,"said ""hi"""',
    "Chinstrap,-1e1,NaN,x",
    "",
  ].join("\r\n");

  it("reads numbers as float32, text as int32 codes in sorted order, empty cells as NaN", async () => {
    const table = data.parseCsv(text);
    assert.deepEqual(table.columns, ["species", "bill length", "mass", "note"]);
    assert.equal(table.rows, 4);
    assert.deepEqual(table.categories, { species: ["Adelie", "Chinstrap", "Gentoo"], note: ["", 'calm, small', 'said "hi"', "x"] });
    assert.deepEqual(table.missing, { mass: 1 });
    const species = table.column("species");
    assert.equal(species.dtype, "int32");
    assert.deepEqual(await species.array(), [0, 2, 0, 1]);
    const bill = table.column("bill length");
    assert.equal(bill.dtype, "float32");
    assertClose(await bill.data(), [39.1, 46.5, 38.6, -10]);
    assertClose(await table.tensor(["bill length", "mass"]).data(), [39.1, 3750, 46.5, NaN, 38.6, 3800, -10, NaN]);
    assert.deepEqual(table.tensor().shape, [4, 4]);
  });

  it("detects ; and tab delimiters, reads files, and works without a header", async () => {
    assert.deepEqual(await data.parseCsv("a;b\n1;2\n3;4").tensor().array(), [[1, 2], [3, 4]]);
    assert.deepEqual(data.parseCsv("a\tb\n1\t2").columns, ["a", "b"]);
    const noHeader = data.parseCsv("1,2\n3,4", { header: false });
    assert.deepEqual(noHeader.columns, ["0", "1"]);
    assert.equal(noHeader.rows, 2);
    const dir = mkdtempSync(join(tmpdir(), "tsdl-csv-"));
    writeFileSync(join(dir, "iris.csv"), "x,y,label\n1,2,a\n3,4,b\n");
    const file = data.readCsv(join(dir, "iris.csv"));
    assert.deepEqual(await file.column("label").array(), [0, 1]);
  });

  it("shows its first rows as an HTML table, as a DataFrame does", () => {
    const bundle = (data.parseCsv(text) as any)[t.displaySymbol]();
    assert.match(bundle["text/html"], /<th>species<\/th><th>bill length<\/th>/);
    assert.match(bundle["text/html"], /<td>Gentoo<\/td><td>46.5<\/td><td>NaN<\/td>/);
    assert.match(bundle["text/html"], /4 rows × 4 columns/);
    assert.match(bundle["text/plain"], /^species  bill length  mass  note\nAdelie  39.1  3750  calm, small/);
  });

  it("explains bad files and names", () => {
    assert.throws(() => data.parseCsv("a,b\n1,2\n3"), /parseCsv: row 3 has 1 cells but the header has 2; every row needs one cell per column/);
    assert.throws(() => data.parseCsv('a,b\n"1,2'), /a quoted cell is never closed/);
    assert.throws(() => data.parseCsv(""), /the text has no rows/);
    assert.throws(() => data.parseCsv("a,b\n1,2").column("c"), /no column named "c"; the columns are "a", "b"/);
    assert.throws(() => data.readCsv("/nonexistent/x.csv"), /readCsv: cannot read "\/nonexistent\/x.csv"/);
  });
});

describe("trainTestSplit", () => {
  it("cuts every tensor at the same shuffled rows, reproducibly, the test part rounded up", async () => {
    const x = t.arange(20).reshape([10, 2]);
    const y = t.arange(10);
    const [xTrain, xTest, yTrain, yTest] = data.trainTestSplit(x, y, { testFraction: 0.25, seed: 3 });
    assert.deepEqual([xTrain.shape, xTest.shape, yTrain.shape, yTest.shape], [[7, 2], [3, 2], [7], [3]]);
    // Rows stay together: row i of x is [2i, 2i + 1] and y's is i.
    const [xt, yt] = [(await xTrain.array()) as number[][], (await yTrain.array()) as number[]];
    xt.forEach((r, i) => assert.deepEqual(r, [2 * yt[i], 2 * yt[i] + 1]));
    const all = [...yt, ...((await yTest.array()) as number[])].sort((a, b) => a - b);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(yt, [0, 1, 2, 3, 4, 5, 6]);
    const again = data.trainTestSplit(x, y, { testFraction: 0.25, seed: 3 });
    assert.deepEqual(await again[3].array(), await yTest.array());
    const ordered = data.trainTestSplit(y, { testFraction: 0.2, shuffle: false });
    assert.deepEqual(await ordered[1].array(), [8, 9]);
  });

  it("explains mismatched rows and fractions", () => {
    assert.throws(() => data.trainTestSplit(t.zeros([4]), t.zeros([5])), /tensor 1 has 5 rows but tensor 0 has 4/);
    assert.throws(() => data.trainTestSplit(t.zeros([4]), { testFraction: 1.5 }), /testFraction must be between 0 and 1 \(exclusive\), got 1.5/);
    assert.throws(() => data.trainTestSplit(t.zeros([1]), { testFraction: 0.5 }), /1 rows leave none for training/);
  });
});
