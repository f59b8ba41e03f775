// bench/rules-js/run.js DIR K - the rules benchmark's 20 policies
// (DIR/spec.json) as json-rules-engine rules, run over the first K persons
// that bench/rules_bench wrote to DIR/cols/, at 2026-03-01, one engine.run()
// per person. Ages become birth-date thresholds and the household count a
// fact computed before the clock starts (json-rules-engine has no
// aggregation), within() a custom operator. Prints the same
// "policy ... granted ... amount_fen ..." lines as the C and NumPy runs (over
// K persons) and the rate per person-policy evaluation, CPU time.
'use strict';
const fs = require('fs');
const { Engine } = require('json-rules-engine');

const dir = process.argv[2];
const k = parseInt(process.argv[3] || '20000', 10);
const spec = JSON.parse(fs.readFileSync(`${dir}/spec.json`, 'utf8'));
const strings = fs.readFileSync(`${dir}/cols/strings.txt`, 'utf8').split('\n');
const names = ['grade', 'birth', 'region', 'insurance', 'household', 'income', 'death_date'];
const col = {};
for (const n of names) {
	const v = fs.readFileSync(`${dir}/cols/${n}.i32`);
	const p = fs.readFileSync(`${dir}/cols/${n}.present`);
	col[n] = { v: new Int32Array(v.buffer, v.byteOffset, k), p: p.subarray(0, k) };
}
const DAY = [2026, 3, 1];
const dayNumber = (y, m, d) => Math.round(Date.UTC(y, m - 1, d) / 86400000);
const threshold = (years) => dayNumber(DAY[0] - years, DAY[1], DAY[2]);

// facts of person i; a missing value is null (json-rules-engine's numeric
// operators refuse null, as the engine's comparisons over a missing value fail)
function facts(i, kids) {
	const f = {};
	for (const n of names) {
		const c = col[n];
		f[n] = c.p[i] ? (n === 'region' || n === 'insurance' || n === 'household' ? strings[c.v[i]] : c.v[i]) : null;
	}
	f.kids = kidsOf(i, kids);
	return f;
}
function kidsOf(i, kids) {
	return col.household.p[i] ? kids.get(col.household.v[i]) || 0 : null;
}

function rule(p, idx) {
	const all = [];
	if (p.shape === 'disability' || p.shape === 'young_dis') {
		all.push({ fact: 'grade', operator: 'in', value: p.grades });
		all.push({ fact: 'insurance', operator: 'equal', value: 'resident' });
	}
	if (p.shape === 'disability')
		all.push({ fact: 'death_date', operator: 'equal', value: null });
	if (p.region)
		all.push({ fact: 'region', operator: 'within', value: p.region });
	if (p.shape === 'elderly')
		all.push({ fact: 'birth', operator: 'lessThanInclusive', value: threshold(p.age) });
	if (p.shape === 'young_dis')
		all.push({ fact: 'birth', operator: 'greaterThan', value: threshold(p.age) });
	if (p.income)
		all.push({ fact: 'income', operator: 'lessThan', value: p.income * 100 });
	if (p.shape === 'children')
		all.push({ fact: 'kids', operator: 'greaterThanInclusive', value: p.kids });
	return { conditions: { all }, event: { type: `bench.${String(idx).padStart(2, '0')}_${p.shape}`, params: { fen: p.amount * 100 } } };
}

async function main() {
	const engine = new Engine([], { allowUndefinedFacts: true });
	engine.addOperator('within', (a, b) => typeof a === 'string' && a.startsWith(b));
	spec.forEach((p, i) => engine.addRule(rule(p, i)));
	// children under 16 per household, over the K persons
	const t16 = threshold(16);
	const kids = new Map();
	for (let i = 0; i < k; i++)
		if (col.household.p[i] && col.birth.p[i] && col.birth.v[i] > t16)
			kids.set(col.household.v[i], (kids.get(col.household.v[i]) || 0) + 1);
	const granted = new Map(), fen = new Map();
	const t0 = process.cpuUsage();
	for (let i = 0; i < k; i++) {
		const { events } = await engine.run(facts(i, kids));
		for (const e of events) {
			granted.set(e.type, (granted.get(e.type) || 0) + 1);
			fen.set(e.type, (fen.get(e.type) || 0) + e.params.fen);
		}
	}
	const u = process.cpuUsage(t0);
	const s = (u.user + u.system) / 1e6;
	spec.forEach((p, i) => {
		const id = `bench.${String(i).padStart(2, '0')}_${p.shape}`;
		console.log(`policy ${id} granted ${granted.get(id) || 0} amount_fen ${fen.get(id) || 0}`);
	});
	console.log(`json-rules-engine: ${k} persons x ${spec.length} policies in ${s.toFixed(3)} s = ` +
		`${(k * spec.length / s / 1e3).toFixed(1)} k person-policies/s`);
}
main();
