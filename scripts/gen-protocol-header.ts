// Writes native/build/protocol.h from src/plan/protocol.ts, so C and TypeScript share one source.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Linux, Op, PROTOCOL_VERSION, Rec } from '../src/plan/protocol.ts';

export function protocolHeader(): string {
  const lines = ['/* Generated from src/plan/protocol.ts by scripts/gen-protocol-header.ts. Do not edit. */', '#pragma once', ''];
  lines.push(`#define PROTOCOL_VERSION ${PROTOCOL_VERSION}`);
  for (const [name, value] of Object.entries(Rec)) lines.push(`#define REC_${name} ${value}`);
  const ops = Object.entries(Op);
  for (const [name, op] of ops) lines.push(`#define OP_${name} ${op.code}`);
  for (const [name, value] of Object.entries(Linux)) lines.push(`#define LX_${name} 0x${value.toString(16)}`);
  // The argument signature of each op ('s' string, 'i' i64, '*x' any number of x): the parser checks it.
  lines.push('', 'static inline const char *op_sig(unsigned op) {', '  switch (op) {');
  for (const [, op] of ops) lines.push(`  case ${op.code}: return "${op.args}";`);
  lines.push('  default: return 0;', '  }', '}', '');
  lines.push('static inline const char *op_name(unsigned op) {', '  switch (op) {');
  for (const [name, op] of ops) lines.push(`  case ${op.code}: return "${name.toLowerCase()}";`);
  lines.push('  default: return "unknown";', '  }', '}');
  return lines.join('\n') + '\n';
}

const out = process.argv[2] ?? 'native/build/protocol.h';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, protocolHeader());
