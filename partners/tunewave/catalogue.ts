import type { CatalogueItem } from '../app/config.js';

/**
 * Tunewave's catalogue: public-domain compositions (the recordings are imaginary). Durations in
 * seconds, as a typical performance lasts.
 */
export const TUNEWAVE_CATALOGUE: CatalogueItem[] = [
  {
    id: 'satie-gymnopedie-1',
    title: 'Gymnopédie No. 1',
    artist: 'Erik Satie',
    durationSec: 185,
    year: 1888,
    note: 'Solo piano, lent et douloureux',
  },
  {
    id: 'debussy-clair-de-lune',
    title: 'Clair de lune',
    artist: 'Claude Debussy',
    durationSec: 300,
    year: 1905,
    note: 'From the Suite bergamasque',
  },
  {
    id: 'bach-cello-suite-1',
    title: 'Cello Suite No. 1: Prélude',
    artist: 'Johann Sebastian Bach',
    durationSec: 150,
    year: 1720,
    note: 'Solo cello',
  },
  {
    id: 'chopin-nocturne-9-2',
    title: 'Nocturne in E-flat major, Op. 9 No. 2',
    artist: 'Frédéric Chopin',
    durationSec: 270,
    year: 1832,
  },
  {
    id: 'joplin-entertainer',
    title: 'The Entertainer',
    artist: 'Scott Joplin',
    durationSec: 205,
    year: 1902,
    note: 'A ragtime two-step',
  },
  {
    id: 'vivaldi-spring-1',
    title: 'Spring: I. Allegro',
    artist: 'Antonio Vivaldi',
    durationSec: 210,
    year: 1725,
    note: 'The Four Seasons',
  },
  {
    id: 'grieg-morning-mood',
    title: 'Morning Mood',
    artist: 'Edvard Grieg',
    durationSec: 225,
    year: 1875,
    note: 'Peer Gynt Suite No. 1',
  },
  { id: 'beethoven-fur-elise', title: 'Für Elise', artist: 'Ludwig van Beethoven', durationSec: 175, year: 1810 },
  {
    id: 'pachelbel-canon',
    title: 'Canon in D',
    artist: 'Johann Pachelbel',
    durationSec: 330,
    year: 1694,
    note: 'For three violins and basso continuo',
  },
  {
    id: 'mozart-nachtmusik-1',
    title: 'Eine kleine Nachtmusik: I. Allegro',
    artist: 'Wolfgang Amadeus Mozart',
    durationSec: 345,
    year: 1787,
  },
];
