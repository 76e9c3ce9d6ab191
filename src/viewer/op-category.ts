/** Coarse op families, used to colour boxes in the viewer (issue 6). */

/** A colour family for an op type (`conv`, `norm`, `act`, `pool`, `math`, `shape`, `linear`, `ctrl`, `other`). */
export function opCategory(opType: string): string {
  const t = opType.toLowerCase();
  if (/conv/.test(t)) return 'conv';
  if (/norm|lrn/.test(t)) return 'norm';
  if (/^(if|loop|scan|while|conditional_block)$/.test(t)) return 'ctrl';
  if (/relu|sigmoid|tanh|softmax|gelu|swish|elu|clip|mish|softplus|hard/.test(t)) return 'act';
  if (/pool/.test(t)) return 'pool';
  if (/gemm|matmul|^mul$|^fc$/.test(t)) return 'linear';
  if (/dropout/.test(t)) return 'drop';
  if (
    /^(add|sub|mul|div|sum|pow|sqrt|exp|log|neg|abs|max|min|mean|scale|reciprocal)$|elementwise|reduce/.test(
      t,
    )
  )
    return 'math';
  if (
    /reshape|transpose|concat|split|slice|squeeze|flatten|gather|shape|pad|resize|interp|upsample|expand|tile|cast|identity|constant/.test(
      t,
    )
  )
    return 'shape';
  return 'other';
}
