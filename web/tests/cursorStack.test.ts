import { describe, expect, it } from 'vitest';
import { CursorStack } from '../src/lib/cursorStack';

describe('CursorStack', () => {
  it('starts on page 1 with no cursor and nowhere to go', () => {
    const s = new CursorStack();
    expect(s.current).toBeNull();
    expect(s.page).toBe(1);
    expect(s.hasPrevious).toBe(false);
    expect(s.hasNext).toBe(false);
  });

  it('walks forward with next_cursor and back with the remembered cursors', () => {
    const s = new CursorStack();
    s.received('c2');
    expect(s.hasNext).toBe(true);
    expect(s.forward()).toBe('c2');
    expect(s.page).toBe(2);
    expect(s.hasNext).toBe(false); // until page 2 has loaded
    s.received('c3');
    expect(s.forward()).toBe('c3');
    expect(s.page).toBe(3);
    s.received(null); // last page
    expect(s.hasNext).toBe(false);
    expect(s.hasPrevious).toBe(true);
    expect(s.back()).toBe('c2');
    expect(s.page).toBe(2);
    s.received('c3');
    expect(s.back()).toBeNull(); // page 1 loads without a cursor
    expect(s.page).toBe(1);
    expect(s.hasPrevious).toBe(false);
  });

  it('does not move past the ends', () => {
    const s = new CursorStack();
    expect(s.back()).toBeNull();
    expect(s.page).toBe(1);
    s.received(null);
    expect(s.forward()).toBeNull();
    expect(s.page).toBe(1);
  });

  it('reset goes back to the first page (filters changed)', () => {
    const s = new CursorStack();
    s.received('c2');
    s.forward();
    s.received('c3');
    s.reset();
    expect(s.page).toBe(1);
    expect(s.current).toBeNull();
    expect(s.hasNext).toBe(false);
  });

  it('treats an absent next_cursor as the last page', () => {
    const s = new CursorStack();
    s.received(undefined);
    expect(s.hasNext).toBe(false);
  });
});
