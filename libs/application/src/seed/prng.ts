/** mulberry32: a tiny deterministic PRNG, so that every seed run makes the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const SYNTHETIC_FIELDS = [
  'Hộ tịch', 'Chứng thực', 'Đất đai', 'Xây dựng', 'Giáo dục và Đào tạo', 'Y tế', 'Lao động, Thương binh và Xã hội',
  'Giao thông vận tải', 'Tài chính', 'Công thương', 'Tài nguyên và Môi trường', 'Văn hóa, Thể thao và Du lịch',
];
export const SYNTHETIC_LEVELS = ['Cấp tỉnh', 'Cấp huyện', 'Cấp xã'];
