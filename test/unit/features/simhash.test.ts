import { readFileSync } from 'node:fs';
import { hammingDistance, simhash } from '../../../src/features/simhash';
import { groupCampaigns } from '../../../src/store/campaigns';
import type { CampaignMember } from '../../../src/store/types';
import { specimen } from '../../helpers/paths';

const threat = readFileSync(specimen('scenarios/proud-boys-change-party.eml'), 'utf8').split('\n\n').slice(1).join('\n\n');
const copy = (name: string, addr: string) => threat.replace('Dana,', `${name},`).replace('Good luck.', `We know you live at ${addr}.\n\nGood luck.`);

describe('simhash', () => {
  it('puts personalised copies close and different mail far', () => {
    const a = simhash(copy('Alice', '12 Oak Street'))!;
    const b = simhash(copy('Roberto', '455 Pine Avenue Apt 3'))!;
    const other = simhash(readFileSync(specimen('scenarios/office-early-voting.eml'), 'utf8'))!;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(hammingDistance(a, b)).toBeLessThanOrEqual(5);
    expect(hammingDistance(a, other)).toBeGreaterThan(16);
    expect(hammingDistance(a, a)).toBe(0);
  });

  it('ignores case, accents and look-alike letters', () => {
    expect(simhash('VOTE FOR HIM OR WE WILL COME AFTER YOU')).toBe(simhash('vote for him or we will come after you'));
    expect(simhash('vоte for him or we will come after yоu')).toBe(simhash('vote for him or we will come after you'));
  });

  it('has nothing to say about text under three words', () => {
    expect(simhash('hi there')).toBeNull();
  });
});

describe('groupCampaigns', () => {
  const m = (id: string, text: string, at: number, gateway: string): CampaignMember => ({ id, simhash: simhash(text)!, receivedAt: at, gateway, senderDomain: 'x.example', verdict: 'flagged', category: 'intimidation', subject: `s${id}` });
  it('groups near-duplicates, keeps singletons out, orders by size', () => {
    const members = [
      m('a1', copy('Alice', '1 A St'), 1, 'north'),
      m('a2', copy('Bob', '2 B St'), 2, 'south'),
      m('a3', copy('Cleo', '3 C St'), 3, 'north'),
      m('b1', readFileSync(specimen('scenarios/vote-by-text.eml'), 'utf8'), 4, 'east'),
    ];
    const groups = groupCampaigns(members, { minSize: 2, limit: 10 });
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ id: 'a1', size: 3, firstSeen: 1, lastSeen: 3, gateways: ['north', 'south'], sampleId: 'a3', subject: 'sa3', verdicts: { flagged: 3 } });
    expect(groupCampaigns(members, { minSize: 4, limit: 10 })).toHaveLength(0);
  });
});
