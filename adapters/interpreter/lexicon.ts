/**
 * The French and English phrases each intent is read from. Every pattern runs on the `words`
 * form of a reply (see text.ts): lower case, no accents, no apostrophes or hyphens, a space at
 * both ends. Patterns are built from how people write, not from any particular corpus row.
 */

const any = (...parts: string[]) => new RegExp(parts.join('|'));
const anyGlobal = (...parts: string[]) => new RegExp(parts.join('|'), 'g');

/**
 * Uses of "stop", "arrêt"... that are not a request to stop: read first and blanked out, so that
 * no opt-out rule sees them. Kept narrow: an opt-out missed is the worst error.
 */
export const NOT_A_STOP = anyGlobal(
  ' non stop ',
  ' stop ou encore ',
  ' (?:bus|tram|metro) stop ',
  ' stop (?:by|in|over|at the) ',
  ' (?:can t|cant|cannot|couldn t|won t) stop ',
  ' (?:don t|dont|do not|never|didn t|did not) (?:say |said |ask |asked |mean |meant )?stop(?!\\w)',
  ' (?:i |we )?(?:didn t|did not|never) (?:say|said|ask|asked|mean|meant) (?:to )?stop ',
  ' (?:a l |l |un |sans )arret (?!(?:de |des |du |d |de vos |de ces )?(?:m |nous |vous )?(?:ecri|envoy|contact|appel|sms|messag|relance|texto|pub))',
  ' arret (?:de |du |d )?(?:bus|tram|metro|travail|maladie|cardiaque|de jeu|definitif de l activite) ',
  ' (?:pas besoin|inutile) d (?:arreter|stopper) ',
  ' (?:n |ne )(?:arretez|arrete|stoppez) (?:pas|surtout pas) ',
  ' (?:a|ont|avons|avait|avions|ai|on a) (?:du |dû )?(?:stopper|arreter|stoppe|arrete) (?:le|la|notre|nos|les|l|mon|ma|un|une) (?:contrat|collaboration|projet|partenariat|activite|abonnement|chantier)',
  ' (?:envoye|mis|tape|ecrit|repondu|sent|texted|typed|replied) stop (?:par erreur|by mistake|by accident|accidentally)',
  ' stop (?:par erreur|by mistake|by accident) ',
);

/** Whole-message keywords of carriers and Twilio, French and English, with the usual typos. */
export const OPT_OUT_KEYWORDS = new Set([
  'stop', 'stopall', 'stpo', 'sotp', 'tsop', 'stoop', 'stopp', 'unsubscribe', 'unsub', 'unsuscribe', 'cancel', 'end',
  'quit', 'revoke', 'optout', 'opt out', 'arret', 'arrete', 'arreter', 'arretez', 'arrettez', 'aret', 'fin',
  'desabonner', 'desabonnez', 'desabonnement', 'desinscrire', 'desinscription', 'desinscrivez', 'retrait', 'remove',
  'stop all', 'stop 2 quit',
]); // prettier-ignore

/** Words that may surround a keyword without changing it ("STOP svp", "please stop", "STOP 36180"). */
export const FILLER = new Set([
  'please', 'pls', 'plz', 'svp', 'stp', 'merci', 'thanks', 'thank', 'you', 'now', 'maintenant', 'tout', 'all', 'i',
  'je', 'ok', 'oui', 'yes', 'the', 'messages', 'sms', 'texts', 'me', 'moi', 'cette', 'fois', 'bye', 'ciao', 'ca',
  'suffit', 'bon', 'allez', 'immediately', 'immediatement', 'de suite', 'tt',
]); // prettier-ignore

/** Keywords long enough to be recognised with a typo or two (edit distance). */
export const FUZZY_KEYWORDS = ['unsubscribe', 'desabonner', 'desabonnez', 'desabonnement', 'desinscrire', 'desinscription', 'arretez']; // prettier-ignore

const CONTACT_VERB =
  '(?:ecri|envoy|contact|appel|rappel|relanc|sollicit|derang|harcel|spam|texto|sms|message|joindre|prospect)';

/** An opt-out said in a sentence; `scope` tells what the sender wants to stop. */
export const OPT_OUT_PHRASES: readonly { pattern: RegExp; scope?: 'sms' | 'calls' }[] = [
  { pattern: / stop\w*(?! ou encore)(?= )/ },
  { pattern: / arret(?:e|ez|er|es|ons|ez moi)? / },
  { pattern: / stopp?(?:ez|er) / },
  { pattern: / (?:ne|n) (?:me|m|nous|plus me|plus m) (?:\w+ )?(?:ecri|envoy|texto|sms)\w* (?:plus|pas|jamais|rien)/, scope: 'sms' }, // prettier-ignore
  { pattern: / (?:ne|n) (?:me|m|nous|plus me|plus m) (?:\w+ )?(?:appel|rappel|telephon)\w* (?:plus|jamais)/, scope: 'calls' }, // prettier-ignore
  {
    // "ne m'appelez pas avant 14h" is a constraint on a call, not a refusal of contact.
    pattern: new RegExp(
      ` (?:ne|n) (?:me|m|nous|plus me|plus m) (?:\\w+ )?${CONTACT_VERB}\\w* (?:plus|jamais|pas(?! (?:avant|apres|entre|before|after|le|ce|cette|demain|aujourd|ce soir|maintenant|tout de suite)))`,
    ),
  },
  { pattern: / (?:je ne veux|je veux|je souhaite|nous ne voulons|on ne veut) (?:plus|pas|plus jamais) (?:recevoir|etre (?:re)?contacte|etre derange|de vos|vos|de sms|de messages|d appels|que vous)/ }, // prettier-ignore
  { pattern: / (?:plus|pas|assez|marre) (?:de |d )(?:vos |ces |tes |des |tous ces )?(?:sms|messages?|textos?|mails|relances?|sollicitations?|spams?|pubs?)(?! (?:infos?|details?|informations?))/, scope: 'sms' }, // prettier-ignore
  { pattern: / (?:plus|pas) (?:de |d )appels? /, scope: 'calls' },
  { pattern: / (?:supprim|effac|retir|enlev|ray|sort|desinscri|radi)\w* (?:moi|nous|mon|ma|mes|mon numero|de (?:votre|vos|la|ce|cette))/ }, // prettier-ignore
  { pattern: / (?:me|m|nous) (?:supprim|effac|retir|enlev|ray|sort|desinscri|radi|desabonn)\w* / },
  { pattern: new RegExp(` (?:ne |n )?plus (?:me|m|nous) (?:\\w+ )?${CONTACT_VERB}`) },
  {
    pattern: / desinscri\w*| desincri\w*| desabon\w*| unsubscri\w*| unsub | opt(?:e|ing|ed)? ?(?:me |us )?out| optout/,
  },
  { pattern: / cnil | 33700 | signal\w* (?:ce |votre |le |ton |vos |au )| plainte| harcel\w*| harass\w*| spam\w*| report(?:ing)? (?:you|this|it)/ }, // prettier-ignore
  { pattern: / (?:laissez|laisse|foutez|fichez|fiche|fous|foutez) (?:moi|nous)(?: la paix| tranquille)| lachez moi| leave (?:me|us) alone/ }, // prettier-ignore
  { pattern: / f[u*]+\w* off | piss off | sod off | go away | degage | casse toi | va te faire/ },
  { pattern: / (?:don t|dont|do not|never|stop|quit) (?:ever )?(?:text|message|contact|call|email|sms|msg|bother|spam|send|write)\w*(?: me| us| this number)?/ }, // prettier-ignore
  { pattern: / (?:no|not|any) (?:more|further) (?:texts?|messages?|sms|calls?|contact)/ },
  { pattern: / (?:take|get) (?:me|us|my number) (?:off|out)| (?:remove|delete|lose|erase|scratch) (?:me|us|my (?:number|name|details|info\w*|data)|this number)/ }, // prettier-ignore
  { pattern: / (?:off|from) (?:your|the|this) (?:list|database|mailing)/ },
  { pattern: / (?:annul|cancel)\w* (?:mon |my |l |the )?(?:abonnement|inscription|subscription)/ },
  {
    pattern:
      / (?:j |je |i )?(?:arrete|arrette) pas de recevoir| (?:keep|still) (?:getting|receiving) (?:your|these|this)/,
  },
  { pattern: / fin (?:des|de vos|de ces) (?:sms|messages|envois)/ },
];

/** Scope of an opt-out from its words, when no phrase said it. */
export const SMS_WORDS = / (?:sms|textos?|texts?|texting|messag\w*|ecri\w*|envoi\w*|msg) /;
export const CALL_WORDS = / (?:appel\w*|rappel\w*|call\w*|telephon\w*|phone) /;

export const OPT_IN = any(
  ' (?:start|unstop|subscribe|resubscribe|restart|opt in|optin) ',
  ' (?:re ?abonn|resubscri|re ?inscri)\\w*',
  ' (?:de nouveau|a nouveau|again|encore) recevoir| recevoir (?:de nouveau|a nouveau|again)',
  ' stop (?:par erreur|by mistake|by accident)',
  ' (?:start|resume|restart) (?:sending|texting|messaging)',
);
export const OPT_IN_KEYWORDS = new Set(['start', 'unstop', 'subscribe', 'resubscribe', 'restart', 'opt in', 'optin']);

export const HELP_KEYWORDS = new Set(['help', 'aide', 'info', 'infos', 'aidez moi', 'help me', 'sos']);
export const HELP = any(
  ' preferences? (?:de |des |d )?(?:sms|messages|notifications|contact)',
  ' (?:gerer|gere|modifier|changer) (?:mes |les )?(?:preferences|sms|abonnements?)',
  ' (?:manage|change) (?:my )?(?:preferences|subscription|settings)',
  ' (?:what|which) (?:is this|are these) (?:program|service|texts?|messages?) ',
);

export const WRONG_NUMBER = any(
  ' (?:mauvais|faux) (?:numero|num|n|no|destinataire|personne|contact|correspondant)',
  ' wrong (?:number|person|guy|girl|contact|no) ',
  ' pas (?:le bon|la bonne) (?:numero|num|destinataire|personne|interlocuteur|contact|entreprise|societe)',
  ' (?:trompe|tromper|erreur) (?:de|d) (?:numero|num|destinataire|personne)',
  ' (?:je ne|je n|j|je) connais (?:pas|personne)(?: de | d | du |d |de )?(?:m |mr |mme |mlle |monsieur |madame |mademoiselle |ce |cette |votre )?',
  ' (?:n est|est) plus (?:joignable|a ce numero|ici|chez)| (?:son |mon |un )?ancien numero| ne travaille plus',
  ' (?:decede|decedee|deceased|passed away|est mort|est morte) ',
  ' no one (?:named|called|by|here)| nobody (?:named|called|by|here)| (?:doesn t|does not) (?:live|work) here',
  ' (?:this|it) (?:is not|isn t) (?:\\w+ s )?(?:number|phone)| not (?:\\w+ s|his|her|their) (?:number|phone)',
  ' (?:il n y a|il ny a|y a) (?:pas|personne|aucun) (?:de |d )?(?:m |mr |mme |monsieur |madame )?\\w+ (?:ici|a ce numero|chez nous|dans (?:l|notre) entreprise)',
  ' (?:personne|no one|nobody) (?:de ce nom|by that name|with that name)',
  ' (?:numero|ligne) (?:personnel|privee?) | je suis (?:un |une )?particulier',
);
/** "Je ne suis pas Mme Leroy", "I'm not Sarah": read on the original text (the name's capital). */
export const NOT_THAT_PERSON =
  /\b(?:[Jj]e ne suis pas|[Jj]e suis pas|I am not|I'm not|I’m not|[Ii] am not|[Ii]'m not|[Tt]his is not|[Tt]his isn't|[Cc]e n'est pas|[Cc]'est pas)\s+(?:M\.?|Mr\.?|Mme|Mlle|Monsieur|Madame|Mademoiselle|[A-ZÀ-Ý][a-zà-ÿ]+-?[A-Za-zà-ÿ]*)(?=[\s,.!]|$)/;

export const CALLBACK = any(
  ' (?:rappel|rapel|rappeller|recontact|recontacter|re contact)\\w*',
  ' (?:appel|apel|telephon|tel|phon|bigophon)\\w* (?:moi|nous)',
  ' (?:m |me |nous )(?:appel|apel|telephon|rappel|rapel|joindre|contacter)\\w*',
  ' (?:vous|tu) (?:pouvez|peux|pourriez) (?:m |me |nous )?(?:appeler|joindre|telephoner|contacter)',
  ' (?:appelez|appeler|call|joignable|joindre) (?:au|sur|le|at|on) ',
  ' (?:appelez|apelez|appellez|telephonez|tel moi|tél moi) ',
  ' (?:call|ring|phone|buzz) (?:me|us)| call (?:back|later)| give (?:me|us) a (?:call|ring)| (?:i ll|i will|will) call',
  ' (?:je|on) (?:vous|te) (?:rappel|rapel|appel|telephon)\\w*',
  ' (?:plutot|prefere|preferable) (?:par )?(?:telephone|tel|appel)',
);
/** A refusal that holds even with other words around it. */
export const NOT_INTERESTED = any(
  ' (?:non|no|nan|nope) (?:merci|thanks|thank you|thx)',
  ' (?:pas|pa|plus|not|no longer) (?:du tout )?(?:interess|interes|intere)\\w*',
  ' (?:interess|interes)\\w* (?:pas|plus)',
  ' (?:not|no) interest',
  ' pas (?:besoin|la peine|pour (?:nous|moi)|concerne|le temps|preneur|intere)',
  ' (?:deja|already) (?:equipe|un |une |des |tout|ce qu il|got|have|has|use|using|with|a |an )',
  ' (?:trop|too) (?:cher|chere|expensive|costly)',
  ' (?:not|no) (?:for (?:us|me)|need|thanks|thank you)| not (?:now|right now) ',
  ' sans facon| ca ira | (?:trouve|pris|choisi) (?:ailleurs|autre chose|un autre)| aucun interet',
  ' retraite | ferme (?:definitivement|boutique)| cesse (?:mon|notre) activite',
  ' (?:ne|n) (?:m |nous )?interesse (?:pas|plus)',
  ' (?:je|nous|on) (?:ne )?(?:suis|sommes|est) pas (?:interess|concerne|preneur)',
);
export const NOT_INTERESTED_KEYWORDS = new Set(['non', 'no', 'nan', 'nope', 'non non', 'no no', 'jamais', 'never', 'negatif', 'pas du tout']); // prettier-ignore

/** Away messages and auto-replies: nobody answered yet. */
export const AUTO_REPLY = any(
  ' (?:je suis |nous sommes )?(?:absent|absente|en conges?|en vacances|en deplacement) ',
  ' out of (?:the )?office| on (?:vacation|holiday|leave) | auto ?(?:matic )?reply| away from',
  ' ne pas deranger| do not disturb| (?:reponse|message) automatique| je verrai votre message',
  ' i m driving| i am driving| je conduis (?:avec|actuellement)',
  ' (?:je vous repondrai|i will reply|i ll reply|i ll get back) (?:a mon retour|when i|des mon retour|upon)',
);

export const MEETING_STRONG = any(
  ' (?:rdv|rendez vous|rendezvous|rencard|meeting|appointment|reunion|entretien|visio|visioconference|teams|zoom) ',
  ' (?:se voir|vous voir|nous voir|se rencontrer|vous rencontrer|meet|meet up) ',
  ' (?:passez|passer|venez|venir) (?:au|a|nous|me|dans|sur|chez)| stop by | come by | drop by | swing by',
  ' (?:decal|report|deplac|reschedul)\\w*',
);
/** Words that make a meeting when a day or time goes with them. */
export const MEETING_WITH_SLOT = any(
  ' (?:dispo|disponible|available|free|libre|demo|demonstration|confirm\\w*|ok pour|ca vous va|ca te va|ca marche|c bon|c est bon|works|suits) ',
);
export const UNAVAILABLE = / pas (?:dispo|disponible|libre) | not (?:available|free) /;

export const QUESTION = any(
  ' \\? ',
  ' (?:combien|c combien|cb|prix|tarifs?|tarification|cout|couts|coute|price|pricing|cost|costs|how much|budget) ',
  ' (?:qui (?:etes vous|est ce|etes|est)|c est qui|c qui|who is|who are|whos) ',
  ' (?:quelle|quel) (?:societe|entreprise|boite|offre|est|sont)',
  ' (?:c est|c) quoi | what is | what s | how does | how do | comment (?:ca|ca marche|fonctionne|avez|vous|ca se)',
  ' (?:comment|ou|how|where) (?:avez vous|vous avez|did you|have you) (?:eu|trouve|obtenu|get|got|find|found)',
  ' (?:plus d|d autres|quelques|des) (?:infos?|informations?|details|precisions)| (?:more|some) (?:info|information|details)',
  ' (?:arnaque|escroquerie|scam|legit|fiable|serieux) ',
  ' (?:est ce que|est ce qu|pourquoi|why|compatible|possible de|can i|can you|do you|is it|are you) ',
  ' (?:vous intervenez|vous travaillez|vous faites|you do|vous proposez|vous vendez|vous etes ou) ',
);

export const INTERESTED = any(
  ' (?:interess|interes|intere)\\w*',
  ' (?:ok|okay|oki) (?:pour|go|je prends|allons y|let s|c est parti|ca me va|ca marche)',
  ' (?:oui|ouais|ouai|ui|yes|yep|yeah|yup|d accord|daccord|dac|dak|dacc|volontiers|carrement|grave|bien sur|of course|sure|absolutely|avec plaisir|with pleasure) ',
  ' (?:pourquoi pas|why not|pas contre|not against|dis pas non|pas dire non|say no to|je veux bien|je suis partant|partant|partante|count me in|go for it|let s do it|let s go|sounds good|sounds great|parfait|super|top|genial|great) ',
  ' (?:envoy|envoi|send|transmet)\\w* (?:moi |nous |me |us )?(?:la |une |votre |vos |des |the |a |your |more )?(?:doc|documentation|plaquette|brochure|devis|offre|proposition|infos?|quote|details|catalogue|tarifs?)',
  ' (?:i like|i love|j aime|j adore|we like) (?:it|them|this|that|ca|bien|beaucoup|vos|your|l idee|the idea)',
  ' (?:devis|quote|proposition commerciale|essai|trial|demo|demonstration) ',
);
export const TAPBACK_LIKED = /^\s*(?:A aimé|A adoré|Liked|Loved|Emphasized|A mis en évidence)\s+[«“"]/;
export const TAPBACK_OTHER =
  /^\s*(?:N'a pas aimé|N’a pas aimé|Disliked|A ri de|Laughed at|Questioned|A mis en doute)\s+[«“"]/;

export const POSITIVE_EMOJI = /[👍👌🙏💪🤝✅☑✔😊🙂😀😃👏]/u;
export const NEGATIVE_EMOJI = /[❌👎🚫⛔✋🖕]/u;

/** Words that tell English from French. */
export const ENGLISH_WORDS =
  / (?:the|you|your|me|my|i|i m|is|are|this|please|call|number|not|don t|dont|stop texting|what|who|how|yes|no|thanks|thank|can|wrong|interested|tomorrow|today|unsubscribe|text|texting|already|have|and|at|we|it|off|liked|sorry|here|named|take|list|lose)(?= )/g; // prettier-ignore
export const FRENCH_WORDS =
  / (?:je|j|vous|tu|moi|de|le|la|les|des|du|pas|merci|svp|stp|oui|non|rappel\w*|c est|est|mon|ma|mes|et|ou|un|une|au|ne|plus|numero|demain|bonjour|arret\w*|ca|qui|quel|quelle|sms|pour|avec|dans|interess\w*|a|en|il|on|nous|votre|vos)(?= )/g; // prettier-ignore

/** Words that ask to resume ("réabonnez"), close in spelling to opt-out words: never read as typos of them. */
export const OPT_IN_WORD = /^re ?(?:abonn|inscri|subscri)/;
