// Checks data/lunar.tsv, the lunar and solar-term dates of the statutory holidays, row by row
// against the lunar-javascript library (tests/e2e/package.json): 除夕 (the day before 正月初一),
// 清明 (the solar term), 端午 (五月初五), 中秋 (八月十五). Prints "ok"/"FAIL" lines and "RESULT p f".
import { createRequire } from 'module';
import { readFileSync } from 'fs';
const require = createRequire(process.argv[2] + '/tests/e2e/package.json');
const { Lunar, Solar } = require('lunar-javascript');
const text = readFileSync(process.argv[2] + '/data/lunar.tsv', 'utf8');
let passed = 0, failed = 0;
const check = (name, ok, detail) => {
  if (ok) { passed++; } else { failed++; console.log(`FAIL ${name} ${detail ?? ''}`); }
};
const rows = text.split('\n').filter(l => /^\d{4}\t/.test(l)).map(l => l.split('\t'));
check('header', text.split('\n').includes('year\tchuxi\tqingming\tduanwu\tzhongqiu'));
check('covers 2027-2050', rows.length && +rows[0][0] <= 2027 && +rows[rows.length - 1][0] >= 2050,
      `${rows[0]?.[0]}-${rows[rows.length - 1]?.[0]}`);
let prev = 0;
for (const [y, chuxi, qingming, duanwu, zhongqiu] of rows) {
  const year = +y;
  check(`${y} follows ${prev}`, !prev || year === prev + 1);
  prev = year;
  const want = {
    chuxi: Lunar.fromYmd(year, 1, 1).next(-1).getSolar().toYmd(),
    qingming: Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()['清明'].toYmd(),
    duanwu: Lunar.fromYmd(year, 5, 5).getSolar().toYmd(),
    zhongqiu: Lunar.fromYmd(year, 8, 15).getSolar().toYmd(),
  };
  const got = { chuxi, qingming, duanwu, zhongqiu: zhongqiu.trim() };
  for (const k of Object.keys(want)) check(`${y} ${k}`, got[k] === want[k], `table ${got[k]}, library ${want[k]}`);
}
// the facts the issue and REFERENCE.md state
const byYear = Object.fromEntries(rows.map(r => [r[0], r]));
const facts = { 2027: ['2027-02-05', '2027-04-05', '2027-06-09', '2027-09-15'], 2028: ['2028-01-25', '2028-04-04', '2028-05-28', '2028-10-03'] };
for (const [y, f] of Object.entries(facts)) check(`${y} as published`, JSON.stringify(byYear[y]?.slice(1).map(s => s.trim())) === JSON.stringify(f));
console.log(`ok   ${passed} checks`);
console.log(`RESULT ${passed} ${failed}`);
process.exit(failed ? 1 : 0);
