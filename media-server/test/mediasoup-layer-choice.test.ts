// A viewer's simulcast layer on the mediasoup engine, by its height: the smallest layer at
// least that tall, else the tallest; layers of unknown height (no keyframe yet) left out.
import { describe, expect, it } from 'vitest';
import { chooseSpatialLayer } from '../src/engine/mediasoup/consumer';

describe('the mediasoup engine’s layer choice by height', () => {
  it('takes the smallest layer at least as tall as the viewer, else the tallest', () => {
    const heights = [120, 240, 480];
    expect(chooseSpatialLayer(heights, 100)).toBe(0);
    expect(chooseSpatialLayer(heights, 120)).toBe(0);
    expect(chooseSpatialLayer(heights, 121)).toBe(1);
    expect(chooseSpatialLayer(heights, 480)).toBe(2);
    expect(chooseSpatialLayer(heights, 1080)).toBe(2);
    expect(chooseSpatialLayer(heights, undefined)).toBe(2);
  });

  it('leaves out layers whose height is not known yet, and without any takes the tallest', () => {
    expect(chooseSpatialLayer([undefined, 240, undefined], 100)).toBe(1);
    expect(chooseSpatialLayer([undefined, 240, undefined], 300)).toBe(2);
    expect(chooseSpatialLayer([undefined, undefined, undefined], 100)).toBe(2);
  });
});
