import type { CatalogueItem } from '../app/config.js';

/** Reelbox's catalogue: silent films in the public domain (US), with their running times (s). */
export const REELBOX_CATALOGUE: CatalogueItem[] = [
  {
    id: 'trip-to-the-moon',
    title: 'A Trip to the Moon',
    artist: 'Georges Méliès',
    durationSec: 780,
    year: 1902,
    note: 'A rocket in the eye of the Moon',
  },
  {
    id: 'great-train-robbery',
    title: 'The Great Train Robbery',
    artist: 'Edwin S. Porter',
    durationSec: 720,
    year: 1903,
    note: 'The first great western',
  },
  {
    id: 'caligari',
    title: 'The Cabinet of Dr. Caligari',
    artist: 'Robert Wiene',
    durationSec: 4560,
    year: 1920,
    note: 'German expressionism, painted shadows',
  },
  { id: 'the-kid', title: 'The Kid', artist: 'Charlie Chaplin', durationSec: 4080, year: 1921 },
  {
    id: 'nosferatu',
    title: 'Nosferatu',
    artist: 'F. W. Murnau',
    durationSec: 5640,
    year: 1922,
    note: 'A symphony of horror',
  },
  {
    id: 'safety-last',
    title: 'Safety Last!',
    artist: 'Fred C. Newmeyer and Sam Taylor',
    durationSec: 4440,
    year: 1923,
    note: 'Harold Lloyd and the clock',
  },
  { id: 'sherlock-jr', title: 'Sherlock Jr.', artist: 'Buster Keaton', durationSec: 2700, year: 1924 },
  {
    id: 'the-general',
    title: 'The General',
    artist: 'Buster Keaton and Clyde Bruckman',
    durationSec: 4680,
    year: 1926,
    note: 'A locomotive chase',
  },
  { id: 'metropolis', title: 'Metropolis', artist: 'Fritz Lang', durationSec: 9180, year: 1927 },
];
