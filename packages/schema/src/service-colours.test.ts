import { describe, expect, it } from 'vitest';
import { services } from './default-services.js';
import { FALLBACK_COLOURS, SERVICE_COLOURS, serviceColour } from './service-colours.js';

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((start) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe('service colours', () => {
  it('gives every declared service its own fixed colour', () => {
    const names = services.map((service) => service.name);
    for (const name of names) expect(SERVICE_COLOURS[name], name).toBeDefined();
    const hexes = names.map((name) => serviceColour(name).hex);
    expect(new Set(hexes).size).toBe(hexes.length);
  });

  it('never uses red (31/91, or a red hue) and keeps white badge text readable (AA)', () => {
    for (const colour of [...Object.values(SERVICE_COLOURS), ...FALLBACK_COLOURS]) {
      expect([31, 91]).not.toContain(colour.ansi);
      // Red hue: within 20° of 0° (and saturated enough to read as a colour, not a grey).
      const [r, g, b] = [1, 3, 5].map((start) => parseInt(colour.hex.slice(start, start + 2), 16) / 255) as [
        number,
        number,
        number,
      ];
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const hue =
        max === min
          ? 0
          : max === r
            ? (60 * ((g - b) / (max - min)) + 360) % 360
            : max === g
              ? 60 * ((b - r) / (max - min)) + 120
              : 60 * ((r - g) / (max - min)) + 240;
      const saturated = max - min > 0.15;
      expect(saturated && (hue < 20 || hue > 340), colour.hex).toBe(false);
      expect(1.05 / (luminance(colour.hex) + 0.05), colour.hex).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('is stable for unknown services', () => {
    expect(serviceColour('storyboard')).toEqual(serviceColour('storyboard'));
    expect(FALLBACK_COLOURS).toContainEqual(serviceColour('storyboard'));
  });
});
