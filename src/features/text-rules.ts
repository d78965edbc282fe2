import { matchPatterns } from './match';
import type { SignalDef, SignalGroup } from './types';

/**
 * Text-pattern signals, English and Spanish. Patterns run on normalised text (lower case, no
 * diacritics, leetspeak and letter spacing folded: see normalize.ts), so they are written that way.
 * Each is a declarative record (cf. rspamd symbols): id, group, description, base strength.
 */
interface TextRule {
  id: string;
  group: SignalGroup;
  description: string;
  base: number;
  patterns: RegExp[];
}

const YOU = '(?:you|your|ya|u|yall|y\'all)';
const HARM = '(?:kill|shoot|hang|lynch|hurt|beat|burn|bomb|stab|execute|murder|destroy|end|bury|string up|take out|deal with|pay a visit|visit)';

export const TEXT_RULES: TextRule[] = [
  {
    id: 'THREAT_VIOLENCE',
    group: 'threat',
    description: 'Threat of violence or harm aimed at the reader, voters or their family',
    base: 0.9,
    patterns: [
      new RegExp(`\\b(?:we|i|they|our (?:members|men|people|boys|guys))(?: will| ll|'ll| are going to| re going to|'re going to| gonna| will be coming to| know how to)? ${HARM} ${YOU}\\b`),
      new RegExp(`\\b(?:come|coming|be coming) (?:after|for) ${YOU}\\b`),
      new RegExp(`\\b(?:we|i) (?:will|ll|'ll) (?:find|hunt|track|get) ${YOU}\\b`),
      new RegExp(`\\b${YOU} (?:will|ll|'ll|are going to|re going to|gonna) (?:regret|pay for|be sorry|be hurt|suffer|get hurt|wish you hadn'?t|not be safe)\\b`),
      new RegExp(`\\b(?:we|i) know where ${YOU} (?:live|sleep|work|park|pray|shop)\\b`),
      /\b(?:watch your back|sleep with one eye open|accidents happen|(?:would|'d) be a (?:real |terrible |awful |great )?shame if|(?:would|'d) hate (?:for |to see )?(?:something|anything|that) (?:to )?happen|something (?:bad |terrible |unfortunate )?(?:will |could |might |may )?happen(?:s|ed)? to (?:you|your|the|him|her|them))\b/,
      /\b(?:broken window|kitchen fire|house fire|fire|accident|flat tire|slashed tire)s?\b.{0,60}\b(?:happen|gone|can happen|would be a shame)\b/,
      /\b(?:seria una lastima|que pena seria) (?:si|que)\b|\balgo (?:malo )?(?:le |te )?(?:podria|puede|pudiera) pasar\b/,
      /\b(?:your|his|her) (?:kids|children|family|wife|husband|daughter|son)(?:'s)? (?:school|safety|will|are|is) .{0,40}(?:not safe|pay|suffer|hurt|regret|watch|next)\b/,
      /\b(?:your|his|her) (?:son|daughter|kids?|children|wife|husband|grandkids?|grandchildren|mother|father|mom|dad)\b.{0,160}\b(?:school|field|practice|bus stop|route|alone|every (?:morning|night|day)|saturdays|sundays|plays|walks|opens)\b/,
      /\b(?:tu|su) (?:hijo|hija|hijos|esposa|esposo|familia|mama|papa)\b.{0,160}\b(?:escuela|parada|sola|solo|cada (?:manana|noche|dia)|sabados|juega|camina)\b/,
      /\b(?:noose|rope|firing squad|bullet|guillotine|gallows|tree and a rope)s?\b.{0,60}\b(?:for you|waiting|your name|traitor)/,
      new RegExp(`\\b(?:deserve to|should|will) (?:hang|die|be shot|be executed|be hanged)\\b`),
      /\b(?:te|los|las|lo|la) (?:vamos a|van a) (?:buscar|encontrar|matar|golpear|quemar|visitar|hacer dano)\b/,
      /\b(?:iremos|vamos a ir|vendremos) (?:por|a buscar) (?:ti|usted|ustedes|tu familia)\b/,
      /\b(?:sabemos|se) donde (?:vives|vive|viven|trabajas|trabaja)\b/,
      /\b(?:te|se) (?:arrepentiras|arrepentira|arrepentiran)\b|\bpagaras (?:las consecuencias|caro)\b|\b(?:tu|su) familia (?:pagara|sufrira|no estara segura)\b/,
      /\b(?:cuidate|cuidese|cuida tu espalda|atente a las consecuencias)\b/,
    ],
  },
  {
    id: 'THREAT_ELECTION_WORKER',
    group: 'threat',
    description: 'Threat aimed at election workers or officials (clerks, poll workers, canvassers, certifiers)',
    base: 0.9,
    patterns: [
      /\b(?:certify|certifying|certified|count|counting|canvass|sign off)\b.{0,80}\b(?:regret|pay|hang|consequences|last thing you do|be sorry|not be safe|watch your back)\b/,
      /\b(?:clerks?|poll workers?|election (?:workers?|officials?|judges?)|canvass(?:ing)? board|registrars?|secretary of state)\b.{0,80}\b(?:hang|lynch|shot|shoot|kill|executed|swing|pay|bullet|rope|deserve what)\b/,
      /\b(?:hang|lynch|shoot|kill|execute)\b.{0,40}\b(?:clerks?|poll workers?|election (?:workers?|officials?)|traitors?)\b/,
      /\b(?:certifica|certifiquen|cuenten|contar)\b.{0,80}\b(?:arrepentiras|pagaras|consecuencias)\b/,
    ],
  },
  {
    id: 'DOXXING_THREAT',
    group: 'threat',
    description: 'Threatens to publish or share home addresses, vehicles, family or places of worship',
    base: 0.8,
    patterns: [
      /\b(?:home address(?:es)?|addresses|where (?:you|they) live|license plates?|vehicles?|places? of worship|phone numbers?|kids'? schools?|children'?s schools?)\b.{0,160}\b(?:publish|published|distributed|posted|post it|posting|shared|share|leak|leaked|release|released)\b/,
      /\b(?:publish|post|share|release|leak|distribute)\b.{0,40}\b(?:your|their|his|her) (?:home )?(?:address|addresses|names and addresses|personal information|phone number)\b/,
      /\b(?:roster|list|dossier|file)\b.{0,60}\b(?:home address|addresses|vehicles|spouse|family|places? of worship)\b/,
      /\b(?:publicaremos|vamos a publicar|compartiremos)\b.{0,40}\b(?:tu|su|sus) (?:direccion|domicilio|datos|nombre)/,
    ],
  },
  {
    id: 'COERCION_VOTE',
    group: 'coercion',
    description: 'Demands to vote a certain way or change party, backed by a consequence',
    base: 0.8,
    patterns: [
      /\bchange (?:your|ur) (?:party|party affiliation|affiliation|registration|voter registration)\b/,
      /\bswitch (?:your|ur) (?:party|affiliation|registration)\b/,
      /\b(?:you will|you'll|you must|you better|you'd better|you had better) (?:vote|register|change|switch)\b/,
      /\bvote (?:for|against) .{1,50}\bor (?:else|we|you|your|face|suffer|there will)\b/,
      /\bif you (?:don'?t|do not|fail to) (?:vote|change|switch|register)\b.{0,60}\b(?:we|you will|you'll|consequences|regret|find)\b/,
      /\b(?:cambia|cambie|cambiar|cambien) (?:tu|su|de) (?:afiliacion|partido|registro)\b/,
      /\b(?:vota|vote|votaras|votara|voten|votes) por .{1,50}\bo (?:si no|te|se|sufriras|habra|ya veras|atente)\b/,
      /\bsi no (?:votas|vota|votan|cambias|cambia)\b.{0,60}\b(?:nosotros|te|consecuencias|arrepentiras|iremos)\b/,
      /\b(?:mas te vale|mas le vale|tienes que|debes) votar\b/,
      /\b(?:take|remove|pull) (?:the|that|your) (?:sign|signs|yard sign|flag|banner|sticker)s? (?:down|off|out)\b/,
      /\b(?:remember|remembers|will remember|know|knows) (?:who|which (?:of you|houses|families)) (?:is|are|was|were|voted|votes|is with)\b/,
    ],
  },
  {
    id: 'COERCION_EMPLOYER',
    group: 'coercion',
    description: 'Employer, landlord or benefit pressure tied to how someone votes',
    base: 0.8,
    patterns: [
      /\b(?:keep|lose|losing) (?:your|their) (?:job|jobs|position|lease|apartment|home|benefits|housing)\b.{0,100}\bvot/,
      /\bvot.{0,100}\b(?:keep|lose|losing) (?:your|their) (?:job|jobs|position|lease|apartment|home|benefits|housing)\b/,
      /\b(?:employees|staff|workers|tenants) (?:who|that) (?:vote|voted|don'?t vote)\b.{0,80}\b(?:fired|terminated|let go|evict|laid off|consequences)\b/,
      /\b(?:photo|picture|proof|screenshot) of (?:your|the) (?:ballot|vote)\b.{0,80}\b(?:hr|manager|supervisor|landlord|office|bring|send|show)\b/,
      /\b(?:perderas|perdera|perder) (?:tu|su) (?:trabajo|empleo|casa|apartamento|beneficios)\b/,
      /\bfoto de (?:tu|su) (?:boleta|voto)\b/,
      /\b(?:expected|required|asked|instructed|told) to vote (?:for|against|yes|no)\b/,
      /\b(?:marked|completed|filled(?: out| in)?) (?:mail )?ballots?\b.{0,80}\b(?:shift lead|supervisor|manager|leasing office|hr|boss|foreman|staff will|our staff)\b/,
      /\bbring (?:your|their) (?:completed |marked |mail |absentee )?ballots? to (?:the |our )?(?:office|leasing office|break room|meeting|front desk|church|hall)\b/,
      /\b(?:supervisors?|managers?|staff|foreman|deacons?) (?:will be|are) (?:present|there|on hand) to (?:"?assist|help|collect|check)/,
      /\b(?:renewal|raise|bonus|shifts?|hours|layoffs?|reduction list|promotion|lease)\b.{0,80}\b(?:how you vote|your vote|participation in this|who you vote for|voted)\b/,
      /\b(?:lleve|traiga|entregue) (?:su|tu) boleta (?:a|al) (?:la )?(?:oficina|trabajo|iglesia)\b/,
    ],
  },
  {
    id: 'SURVEILLANCE_CLAIM',
    group: 'coercion',
    description: 'Claims the reader\'s vote or polling place is being watched',
    base: 0.7,
    patterns: [
      /\bwe (?:will|ll|'ll)? ?(?:know|see|find out|be watching) (?:who|how|whether|if) you (?:vote|voted)\b/,
      /\b(?:we are|we're|we will be|we'll be) (?:watching|monitoring|outside|at) (?:you|your (?:polling place|precinct|house|home)|every polling|the polls)\b/,
      /\b(?:i'?ll|i will|we'?ll|we will) be (?:watching|checking|keeping an eye)(?: for it| on you| on your| closely)?\b/,
      /\bwe (?:photographed|recorded|filmed|saw|followed|noted) (?:you|your)\b/,
      /\bwe (?:will|can) (?:see|know) your (?:vote|ballot)\b/,
      /\b(?:te|le|los) (?:estamos|estaremos) (?:vigilando|observando)\b/,
      /\bsabremos (?:por quien|como) (?:votaste|voto|votaron)\b/,
    ],
  },
  {
    id: 'VOTER_DATA_CLAIM',
    group: 'voter_data',
    description: 'Claims to hold the reader\'s voter data or access to voting systems',
    base: 0.75,
    patterns: [
      /\b(?:we|i) (?:have|possess|obtained|got|hold|acquired|are in possession of|now have) (?:all |all of )?(?:your|ur) (?:information|info|data|details|voter (?:record|data|information|registration|file)|address|personal|registration)\b/,
      /\bin possession of (?:all )?your (?:information|data|details)\b/,
      /\b(?:hacked|breached|accessed|infiltrated|gained access to|have access to|control of|took over|compromised) (?:the |your )?(?:state'?s? |county'?s? )?(?:voting|election|voter registration|voter|ballot|tabulation) (?:system|systems|machines|database|infrastructure|rolls|servers?|records)\b/,
      /\b(?:your|the) (?:voter (?:record|data|file|registration)|ballot)\b.{0,60}\b(?:we (?:have|hold|can see|accessed))\b/,
      /\btenemos (?:toda )?(?:tu|su) (?:informacion|datos|direccion|registro)\b/,
      /\b(?:hackeamos|accedimos|tenemos acceso) (?:a|al)? ?(?:el )?(?:sistema|sistemas|base de datos) (?:electoral|de votacion|de votantes)\b/,
    ],
  },
  {
    id: 'PROCESS_VOTE_REMOTE',
    group: 'process',
    description: 'Says votes can be cast by text, phone, e-mail, app or online (US voters cannot)',
    base: 0.85,
    patterns: [
      /\b(?:vote|cast (?:your|a) (?:vote|ballot)|voting)\b.{0,20}\b(?:by|via|through|over|using|from) (?:text|sms|text message|phone|telephone|email|e-mail|online|internet|the internet|app|twitter|facebook|whatsapp|your phone)\b/,
      /\btext (?:vote|your vote|yes|no|[a-z]+) to \d{3,6}\b/,
      /\b(?:reply|respond|answer) (?:with|yes|to this (?:email|text|message)) .{0,40}\b(?:vote|ballot)\b/,
      /\bvote (?:online|by phone|by text|by email) (?:at|now|today|here)\b/,
      /\breply (?:yes|y|vote|with)\b.{0,60}\b\d{4,6}\b/,
      /\b(?:your|ur) (?:vote|ballot) (?:is|will be|gets) (?:recorded|counted|cast|submitted)\b.{0,40}\b(?:text|reply|sms|click|online)\b|\b(?:text|reply|sms|click)\b.{0,60}\b(?:your|ur) (?:vote|ballot) (?:is|will be|gets) (?:recorded|counted|cast|submitted)\b/,
      /\b(?:vote|vota|votar|voto)\b.{0,30}\b(?:por|via|mediante) (?:mensaje de texto|texto|sms|telefono|internet|correo electronico|whatsapp)\b/,
      /\benv(?:ia|ie) (?:un mensaje|la palabra|vota|voto|tu voto|su voto).{0,30}\b(?:al|a) \d{3,6}\b/,
    ],
  },
  {
    id: 'PROCESS_WRONG_DATE',
    group: 'process',
    description: 'Says the election date or hours changed, or a party votes on another day',
    base: 0.8,
    patterns: [
      /\b(?:election|election day|voting|the vote|polls?)\b.{0,30}\b(?:has been|have been|was|were|is|are|will be) (?:moved|postponed|rescheduled|changed|delayed|extended|cancelled|canceled|pushed back)\b/,
      /\bdue to (?:high|heavy|record|expected|long) (?:turnout|lines|demand)\b/,
      /\b(?:republicans?|democrats?|democratic|republican|independents?|gop|dems?|party members|your party)(?: voters)? (?:will |should |must |are to |can )?vote (?:on|the following|a day later|one day later)\b/,
      /\b(?:republicans?|democrats?|independents?|gop|dems?)(?: voters)? (?:vote|voting) (?:on )?(?:wednesday|thursday|friday|the next day|november (?:4|6|7|8|9|10)(?:th)?)\b/,
      /\b(?:la eleccion|las elecciones|la votacion|el dia de (?:la )?eleccion)\b.{0,30}\b(?:ha sido|fue|se ha|han sido|sera) (?:pospuesta|cambiada|aplazada|movida|cancelada|cambiado|aplazado|movido)\b/,
      /\bdebido a la (?:alta|gran) (?:participacion|afluencia)\b/,
      /\b(?:republicanos|democratas|independientes) (?:votan|votaran|deben votar) (?:el )?(?:miercoles|jueves|viernes|dia siguiente)\b/,
    ],
  },
  {
    id: 'PROCESS_POLLING_PLACE',
    group: 'process',
    description: 'Says a polling place moved or closed',
    base: 0.55,
    patterns: [
      /\b(?:polling (?:place|location|station|site)s?|precincts?|voting (?:location|site|center)s?)\b.{0,25}\b(?:has been|have been|was|were|is|are|will be)? ?(?:moved|changed|relocated|closed|shut down|consolidated|no longer open)\b/,
      /\b(?:casilla|centro de votacion|lugar de votacion|sitio de votacion|precinto)s?\b.{0,25}\b(?:ha sido|fue|esta|estara|han sido|se ha)? ?(?:cambiad|movid|cerrad|trasladad|reubicad)[oa]s?\b/,
    ],
  },
  {
    id: 'PROCESS_REGISTRATION',
    group: 'process',
    description: 'Says a voter registration was cancelled or must be verified by a deadline (with a link or reply)',
    base: 0.75,
    patterns: [
      /\b(?:your )?(?:voter )?registration\b.{0,20}\b(?:has been|was|is|will be|may be|is being|is scheduled to be)\b.{0,15}\b(?:cancel|suspend|purg|expir|revok|deactivat|flag|invalid|remov|delet|terminat)/,
      /\b(?:verify|confirm|update|reactivate|validate|re-?register|restore)\b.{0,15}\byour (?:voter )?(?:registration|voter status|eligibility|record)\b.{0,60}\b(?:now|immediately|within|or|to avoid|before|below|click|link|today|hours)\b/,
      /\b(?:removed|purged|deleted|dropped) from (?:the )?(?:voter )?(?:rolls?|registry|list)\b/,
      /\b(?:su|tu) (?:registro|inscripcion)\b.{0,25}\b(?:ha sido|fue|sera|esta|podria ser)\b.{0,10}\b(?:cancelad|suspendid|eliminad|vencid|expirad|anulad|dad[oa] de baja)/,
      /\b(?:verifique|verifica|confirme|confirma|actualice|actualiza|reactive|reactiva)\b.{0,15}\b(?:su|tu) (?:registro|inscripcion|estatus)\b/,
    ],
  },
  {
    id: 'PROCESS_FEES_ID',
    group: 'process',
    description: 'Invents fees, ID or citizenship rules, arrests or immigration checks at the polls',
    base: 0.75,
    patterns: [
      /\b(?:ballot|voting|poll|registration|processing|voter)\b.{0,15}\b(?:fee|tax|charge|deposit|fine)\b/,
      /\b(?:pay|fee of|charge of|payment of)\b.{0,12}\$\s?\d+.{0,40}\b(?:vote|ballot|register|registration|polls?)\b/,
      /\bmust (?:bring|show|present|provide)\b.{0,50}\b(?:passport|birth certificate|social security card|naturalization|citizenship papers|two forms)\b/,
      /\b(?:need|requires?|required|all three|all of the following)\b.{0,80}\b(?:passport|certified birth certificate|naturalization certificate|social security card)\b/,
      /\b(?:unpaid|outstanding|overdue) (?:tickets|fines|child support|taxes|warrants|debts?|parking|library)\b.{0,120}\b(?:poll|polls|vote|voting|arrest|ballot|sign in|poll ?books?)\b/,
      /\b(?:poll ?books?|sign[- ]in|check[- ]in)\b.{0,80}\b(?:court|warrants?|tickets|fines|immigration|ice|police)\b/,
      /\b(?:ice|immigration|police|sheriff|deputies|federal agents|border patrol)\b.{0,20}\b(?:will be|are|at|outside|checking|stationed|patrolling)\b.{0,20}\b(?:polls|polling|voting (?:sites|locations|centers)|precincts)\b/,
      /\b(?:arrested|deported|detained)\b.{0,40}\b(?:if you vote|at the polls|when you vote|for voting)\b/,
      /\b(?:cuota|tarifa|cargo|pago|multa|impuesto)\b.{0,30}\b(?:votar|boleta|voto|registro)\b/,
      /\b(?:ice|inmigracion|la migra|policia|agentes)\b.{0,30}\b(?:estara|estaran|en|vigilando|revisando)\b.{0,20}\b(?:urnas|casillas|centros de votacion|lugares de votacion)\b/,
      /\b(?:deportad|arrestad|detenid)[oa]s?\b.{0,40}\b(?:si vota|al votar|por votar|en las urnas)\b/,
    ],
  },
  {
    id: 'PROCESS_MAIL_BALLOT',
    group: 'process',
    description: 'Invents mail-ballot rules (ink colour, no signature, ballots not counted, already cast)',
    base: 0.7,
    patterns: [
      /\bsign (?:your |the )?(?:ballot|envelope)? ?(?:in|with) (?:red|green|pencil|purple)\b/,
      /\b(?:red|green|pencil|purple) (?:ink|pen)\b.{0,40}\b(?:ballot|vote)\b/,
      /\b(?:mail(?:-in|ed)?|absentee) ballots?\b.{0,40}\b(?:will not|won'?t|are not|aren'?t|will never) be (?:counted|accepted|opened)\b/,
      /\b(?:your|a) (?:vote|ballot)\b.{0,15}\b(?:has|was|have been|has been) already (?:been )?(?:cast|counted|recorded|submitted)\b/,
      /\b(?:photo|picture|copy|scan) of (?:your |the )?(?:completed |marked |filled[- ]out )?ballot\b.{0,120}\b(?:email|e-mail|send|text|upload|submit)\b/,
      /\bballots?\b.{0,80}\bnot (?:be )?(?:included|counted|tallied) in the (?:official )?(?:results|count|tally)\b/,
      /\bprovisional ballots?\b.{0,60}\b(?:aren'?t|are not|never|only) (?:counted|opened)\b/,
      /\b(?:no need to|don'?t need to|do not need to|don'?t bother to|no reason to) (?:vote|go to the polls|show up)\b/,
      /\b(?:su|tu) (?:voto|boleta)\b.{0,20}\b(?:ya (?:fue|ha sido) (?:emitid|contad|registrad))/,
      /\bno (?:es necesario|hace falta|necesita) (?:votar|ir a votar|presentarse)\b/,
      /\b(?:boletas?|votos?) por correo\b.{0,40}\bno (?:seran|se van a) (?:contad|aceptad)/,
    ],
  },
  {
    id: 'FRAUD_CLAIM',
    group: 'fraud_claim',
    description: 'Fabricated fraud claim: ballots destroyed, dead or illegal voters, machines flipping votes',
    base: 0.6,
    patterns: [
      /\b(?:ballots?|votes)\b.{0,25}\b(?:burned|burning|shredded|shredding|destroyed|dumped|thrown (?:away|out)|in a dumpster|in a ditch|found in a river)\b/,
      /\b(?:dead|illegal|non-?citizen|undocumented)\b.{0,15}\b(?:people|voters|aliens|immigrants)\b.{0,20}\b(?:voting|voted|vote|cast)\b/,
      /\b(?:machines?|dominion|smartmatic|tabulators?|software)\b.{0,25}\b(?:flipped|flipping|switched|switching|deleted|deleting|changed|changing|altered)\b.{0,15}\b(?:votes|ballots)\b/,
      /\b(?:rigged|stolen|fraudulent|fake) (?:election|vote|count|results)\b/,
      /\b(?:share|forward|send) (?:this|it) (?:before|to everyone|widely|now)\b|\bbefore (?:it'?s|it is|they) (?:deleted|taken down|censored|removed|scrub)/,
      /\b(?:boletas|votos)\b.{0,25}\b(?:quemad|destruid|tirad|robad)[oa]s\b/,
      /\b(?:fraude electoral|eleccion (?:robada|amanada|fraudulenta))\b/,
      /\b(?:comparte|compartelo|reenvia|reenvialo)\b.{0,20}\b(?:antes|a todos)\b/,
    ],
  },
];

/** Hosts where fabricated "fraud" footage is passed around. */
const VIDEO_HOSTS = /(?:^|\.)(?:youtube\.com|youtu\.be|rumble\.com|bitchute\.com|vimeo\.com|tiktok\.com|odysee\.com|brighteon\.com|t\.me|dailymotion\.com|drive\.google\.com|streamable\.com)$/;
const FRAUD_RULE = TEXT_RULES.find((r) => r.id === 'FRAUD_CLAIM')!;
const VIDEO_WORDS = [/\b(?:video|footage|clip|livestream|watch (?:this|it|now)|mira (?:este|el) video|grabacion)\b/];

/** The text rules as registry signal definitions, plus the fraud-claim-with-video-link combination. */
export const textSignals: SignalDef[] = [
  ...TEXT_RULES.map((r) => ({
    id: r.id,
    group: r.group,
    description: r.description,
    run: (ctx: Parameters<SignalDef['run']>[0]) => matchPatterns(ctx, r.patterns, r.base),
  })),
  {
    id: 'FRAUD_VIDEO_LINK',
    group: 'fraud_claim',
    description: 'A fraud claim that points to video (YouTube, Rumble, BitChute, TikTok, Telegram, .mp4 …)',
    run(ctx) {
      const link = ctx.mail.urls.find((u) => VIDEO_HOSTS.test(u.host) || /\.(?:mp4|mov|webm)(?:[?#]|$)/i.test(u.url));
      if (!link) return null;
      const claim = matchPatterns(ctx, FRAUD_RULE.patterns, 1);
      const video = matchPatterns(ctx, VIDEO_WORDS, 1);
      if (!claim || !video) return null;
      return { strength: Math.min(claim.strength, video.strength) * 0.8, evidence: `${claim.evidence} with a link to ${link.host || link.url}` };
    },
  },
];
