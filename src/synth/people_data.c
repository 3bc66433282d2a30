/*
 * Tables of the synthetic population (generated once from the lists below by a
 * small script; edit the lists and their totals together: tests check the totals).
 *
 * Facts used: the rank order of common surnames and forenames in England and
 * Wales (ONS and registrar lists), with Zipf-like weights w(r) = w1 / r^s fitted to
 * the published share of the most common name (Smith about 1.26 %); the 43
 * territorial police forces of England and Wales, Police Scotland and the PSNI;
 * real towns with their real postcode areas, the force that polices them and a
 * rough population in thousands (the town's weight). Street names are invented
 * from neutral stems; offences are weighted by our estimate of how often each
 * appears on live wanted reports. Sources and rationale: docs/population.md.
 */
#include "synth/people_data.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static const people_entry people_gb_surnames_e[] = {
    {"Smith", 1260},  {"Jones", 831},    {"Williams", 652},  {"Taylor", 548},     {"Brown", 480},
    {"Davies", 430},  {"Evans", 392},    {"Wilson", 362},    {"Thomas", 337},     {"Johnson", 316},
    {"Roberts", 299}, {"Robinson", 284}, {"Thompson", 270},  {"Wright", 259},     {"Walker", 248},
    {"White", 239},   {"Edwards", 230},  {"Hughes", 222},    {"Green", 215},      {"Hall", 209},
    {"Lewis", 203},   {"Harris", 197},   {"Clarke", 192},    {"Jackson", 187},    {"Wood", 183},
    {"Turner", 178},  {"Martin", 174},   {"Cooper", 171},    {"Hill", 167},       {"Ward", 164},
    {"Morris", 161},  {"Moore", 158},    {"Clark", 155},     {"Lee", 152},        {"King", 149},
    {"Baker", 147},   {"Harrison", 144}, {"Morgan", 142},    {"Allen", 140},      {"James", 138},
    {"Scott", 136},   {"Phillips", 134}, {"Watson", 132},    {"Davis", 130},      {"Parker", 128},
    {"Price", 127},   {"Bennett", 125},  {"Young", 123},     {"Griffiths", 122},  {"Mitchell", 121},
    {"Kelly", 119},   {"Cook", 118},     {"Carter", 116},    {"Richardson", 115}, {"Bailey", 114},
    {"Collins", 113}, {"Bell", 111},     {"Shaw", 110},      {"Murphy", 109},     {"Miller", 108},
    {"Cox", 107},     {"Richards", 106}, {"Marshall", 105},  {"Anderson", 104},   {"Simpson", 103},
    {"Ellis", 102},   {"Adams", 101},    {"Wilkinson", 100}, {"Foster", 99},      {"Chapman", 98},
    {"Powell", 98},   {"Webb", 97},      {"Rogers", 96},     {"Gray", 95},        {"Mason", 94},
    {"Hunt", 94},     {"Campbell", 93},  {"Matthews", 92},   {"Owen", 92},        {"Palmer", 91},
    {"Holmes", 90},   {"Mills", 90},     {"Barnes", 89},     {"Knight", 88},      {"Lloyd", 88},
    {"Butler", 87},   {"Russell", 86},   {"Barker", 86},     {"Fisher", 85},      {"Stevens", 85},
    {"Jenkins", 84},  {"Murray", 84},    {"Dixon", 83},      {"Harvey", 83},      {"Graham", 82},
    {"Pearson", 81},  {"Fletcher", 81},  {"Walsh", 80},      {"Gibson", 80},      {"Howard", 80},
    {"Andrews", 79},  {"Stewart", 79},   {"Elliott", 78},    {"Reynolds", 78},    {"Saunders", 77},
    {"Payne", 77},    {"Fox", 76},       {"Ford", 76},       {"Pearce", 75},      {"Day", 75},
    {"Brooks", 75},   {"West", 74},      {"Lawrence", 74},   {"Cole", 73},        {"Atkinson", 73},
    {"Bradley", 73},  {"Spencer", 72},   {"Dawson", 72},     {"Ball", 72},        {"Burton", 71},
    {"O'Brien", 71},  {"Watts", 71},     {"Rose", 70},       {"Booth", 70},       {"Perry", 70},
    {"Ryan", 69},     {"Grant", 69},     {"Wells", 69},      {"Armstrong", 68},   {"Francis", 68},
    {"Rees", 68},     {"Hayes", 67},     {"Hart", 67},       {"Hudson", 67},      {"Newman", 66},
    {"Barrett", 66},  {"Webster", 66},   {"Hunter", 66},     {"Gregory", 65},     {"Carr", 65},
    {"Lowe", 65},     {"Page", 64},      {"Marsh", 64},      {"Riley", 64},       {"Dunn", 64},
    {"Woods", 63},    {"Parsons", 63},   {"Berry", 63},      {"Stone", 63},       {"Reid", 62},
    {"O'Connor", 62}, {"McDonald", 62},  {"O'Neill", 62},    {"McCarthy", 61},    {"Doyle", 61},
    {"Byrne", 61},
};
const people_table people_gb_surnames = {people_gb_surnames_e, N(people_gb_surnames_e), 21316u};

static const people_entry people_gb_male_e[] = {
    {"David", 1000},   {"John", 574},   {"Paul", 415},    {"Michael", 330},     {"Mark", 276},
    {"James", 238},    {"Daniel", 211}, {"Andrew", 189},  {"Christopher", 172}, {"Richard", 158},
    {"Robert", 147},   {"Thomas", 137}, {"Matthew", 128}, {"Stephen", 121},     {"Lee", 115},
    {"Darren", 109},   {"Ryan", 104},   {"Craig", 99},    {"Jamie", 95},        {"Adam", 91},
    {"Liam", 88},      {"Jack", 84},    {"Peter", 81},    {"Joshua", 79},       {"Luke", 76},
    {"Kieran", 74},    {"Connor", 72},  {"Callum", 70},   {"Jordan", 68},       {"Scott", 66},
    {"Dean", 64},      {"Wayne", 62},   {"Gary", 61},     {"Kevin", 60},        {"Anthony", 58},
    {"Steven", 57},    {"Ian", 56},     {"Simon", 54},    {"Martin", 53},       {"Carl", 52},
    {"Shaun", 51},     {"Jason", 50},   {"Nathan", 49},   {"Aaron", 48},        {"Ben", 48},
    {"Samuel", 47},    {"Joseph", 46},  {"William", 45},  {"George", 44},       {"Harry", 44},
    {"Charlie", 43},   {"Tyler", 42},   {"Kyle", 42},     {"Brandon", 41},      {"Reece", 41},
    {"Alexander", 40}, {"Sean", 39},    {"Neil", 39},     {"Gavin", 38},        {"Barry", 38},
    {"Keith", 37},     {"Alan", 37},    {"Brian", 36},    {"Colin", 36},        {"Graham", 35},
    {"Tony", 35},      {"Dylan", 35},   {"Mason", 34},    {"Lewis", 34},        {"Oliver", 33},
};
const people_table people_gb_male = {people_gb_male_e, N(people_gb_male_e), 7271u};

static const people_entry people_gb_female_e[] = {
    {"Sarah", 1000},    {"Emma", 574},     {"Laura", 415},   {"Claire", 330},  {"Lisa", 276},
    {"Nicola", 238},    {"Michelle", 211}, {"Rebecca", 189}, {"Amy", 172},     {"Jessica", 158},
    {"Gemma", 147},     {"Samantha", 137}, {"Kelly", 128},   {"Stacey", 121},  {"Hannah", 115},
    {"Charlotte", 109}, {"Lauren", 104},   {"Sophie", 99},   {"Chloe", 95},    {"Emily", 91},
    {"Jade", 88},       {"Danielle", 84},  {"Natalie", 81},  {"Rachel", 79},   {"Victoria", 76},
    {"Jennifer", 74},   {"Karen", 72},     {"Susan", 70},    {"Julie", 68},    {"Tracey", 66},
    {"Donna", 64},      {"Joanne", 62},    {"Helen", 61},    {"Louise", 60},   {"Amanda", 58},
    {"Leanne", 57},     {"Kirsty", 56},    {"Megan", 54},    {"Courtney", 53}, {"Shannon", 52},
    {"Paige", 51},      {"Olivia", 50},    {"Ellie", 49},    {"Holly", 48},    {"Katie", 48},
    {"Zoe", 47},        {"Jodie", 46},     {"Kayleigh", 45}, {"Siobhan", 44},  {"Bethany", 44},
};
const people_table people_gb_female = {people_gb_female_e, N(people_gb_female_e), 6516u};

static const people_entry people_sa_surnames_e[] = {
    {"Khan", 1000},  {"Patel", 785},  {"Ahmed", 681},  {"Ali", 616},     {"Hussain", 569},
    {"Singh", 534},  {"Shah", 506},   {"Akhtar", 483}, {"Mahmood", 463}, {"Iqbal", 447},
    {"Rahman", 432}, {"Sharma", 419}, {"Kumar", 407},  {"Mistry", 397},  {"Malik", 388},
    {"Islam", 379},  {"Miah", 371},   {"Uddin", 364},  {"Hassan", 357},  {"Butt", 350},
    {"Riaz", 345},   {"Rashid", 339}, {"Anwar", 334},  {"Bashir", 329},  {"Chaudhry", 324},
    {"Sandhu", 320}, {"Gill", 316},
};
const people_table people_sa_surnames = {people_sa_surnames_e, N(people_sa_surnames_e), 12255u};

static const people_entry people_sa_male_e[] = {
    {"Mohammed", 1000}, {"Muhammad", 574}, {"Imran", 415},  {"Ali", 330},   {"Amir", 276},
    {"Asif", 238},      {"Hamza", 211},    {"Zain", 189},   {"Arjun", 172}, {"Ravi", 158},
    {"Sanjay", 147},    {"Gurpreet", 137}, {"Rajesh", 128}, {"Amit", 121},  {"Tariq", 115},
    {"Adil", 109},      {"Bilal", 104},    {"Usman", 99},   {"Harjit", 95}, {"Sunil", 91},
};
const people_table people_sa_male = {people_sa_male_e, N(people_sa_male_e), 4709u};

static const people_entry people_sa_female_e[] = {
    {"Aisha", 1000}, {"Fatima", 574},  {"Ayesha", 415}, {"Zainab", 330},   {"Priya", 276},
    {"Sana", 238},   {"Nadia", 211},   {"Amina", 189},  {"Maryam", 172},   {"Simran", 158},
    {"Anjali", 147}, {"Shabana", 137}, {"Noor", 128},   {"Harpreet", 121}, {"Sunita", 115},
};
const people_table people_sa_female = {people_sa_female_e, N(people_sa_female_e), 4211u};

static const people_entry people_ea_surnames_e[] = {
    {"Wong", 1000},  {"Li", 785},   {"Chen", 681},   {"Wang", 616}, {"Zhang", 569},
    {"Liu", 534},    {"Chan", 506}, {"Nguyen", 483}, {"Tran", 463}, {"Le", 447},
    {"Pham", 432},   {"Lin", 419},  {"Huang", 407},  {"Yang", 397}, {"Ng", 388},
    {"Cheung", 379}, {"Lam", 371},  {"Ho", 364},     {"Tan", 357},  {"Wu", 350},
};
const people_table people_ea_surnames = {people_ea_surnames_e, N(people_ea_surnames_e), 9948u};

static const people_entry people_ea_male_e[] = {
    {"Wei", 1000},  {"Jun", 574},  {"Hao", 415},   {"Ming", 330},  {"Minh", 276},
    {"Duc", 238},   {"Tuan", 211}, {"Kevin", 189}, {"David", 172}, {"Michael", 158},
    {"Jason", 147}, {"Hung", 137}, {"Kenji", 128}, {"Chi", 121},
};
const people_table people_ea_male = {people_ea_male_e, N(people_ea_male_e), 4096u};

static const people_entry people_ea_female_e[] = {
    {"Mei", 1000}, {"Ling", 574}, {"Xin", 415}, {"Linh", 330}, {"Hoa", 276}, {"Jenny", 238},
    {"Lily", 211}, {"Anna", 189}, {"Yan", 172}, {"Thuy", 158}, {"Hui", 147}, {"Michelle", 137},
};
const people_table people_ea_female = {people_ea_female_e, N(people_ea_female_e), 3847u};

static const people_entry people_ar_surnames_e[] = {
    {"Ahmed", 1000},  {"Ali", 785},      {"Hassan", 681}, {"Hussein", 616}, {"Mohamed", 569},
    {"Ibrahim", 534}, {"Abdullah", 506}, {"Osman", 483},  {"Mahmoud", 463}, {"Saleh", 447},
    {"Omar", 432},    {"Yusuf", 419},    {"Khalil", 407}, {"Haddad", 397},  {"Mansour", 388},
    {"Benali", 379},  {"Amrani", 371},   {"Said", 364},   {"Aziz", 357},
};
const people_table people_ar_surnames = {people_ar_surnames_e, N(people_ar_surnames_e), 9598u};

static const people_entry people_ar_male_e[] = {
    {"Mohamed", 1000}, {"Ahmed", 574},   {"Omar", 415},   {"Youssef", 330}, {"Karim", 276},
    {"Samir", 238},    {"Tarek", 211},   {"Khaled", 189}, {"Hamza", 172},   {"Ibrahim", 158},
    {"Ali", 147},      {"Mustafa", 137}, {"Rachid", 128}, {"Nabil", 121},   {"Hassan", 115},
};
const people_table people_ar_male = {people_ar_male_e, N(people_ar_male_e), 4211u};

static const people_entry people_ar_female_e[] = {
    {"Fatima", 1000}, {"Amina", 574},  {"Leila", 415}, {"Yasmin", 330},
    {"Nour", 276},    {"Samira", 238}, {"Salma", 211}, {"Huda", 189},
    {"Mariam", 172},  {"Rania", 158},  {"Sara", 147},
};
const people_table people_ar_female = {people_ar_female_e, N(people_ar_female_e), 3710u};

static const people_entry people_af_surnames_e[] = {
    {"Williams", 1000}, {"Campbell", 785}, {"Brown", 681},   {"Johnson", 616}, {"Smith", 569},
    {"Thomas", 534},    {"Clarke", 506},   {"Francis", 483}, {"Okafor", 463},  {"Adeyemi", 447},
    {"Mensah", 432},    {"Boateng", 419},  {"Mohamed", 407}, {"Osei", 397},    {"Okoro", 388},
    {"Asante", 379},    {"Adebayo", 371},  {"Hylton", 364},  {"Grant", 357},   {"Henry", 350},
    {"Abdi", 345},      {"Ogunleye", 339}, {"Reid", 334},    {"Gordon", 329},  {"Lewis", 324},
};
const people_table people_af_surnames = {people_af_surnames_e, N(people_af_surnames_e), 11619u};

static const people_entry people_af_male_e[] = {
    {"Tyrone", 1000}, {"Jermaine", 574},  {"Kwame", 415},   {"Kofi", 330},     {"Chidi", 276},
    {"Abdi", 238},    {"Femi", 211},      {"Tunde", 189},   {"Leroy", 172},    {"Marcus", 158},
    {"Delroy", 147},  {"Daniel", 137},    {"Michael", 128}, {"Emmanuel", 121}, {"Samuel", 115},
    {"Joshua", 109},  {"Nathaniel", 104}, {"Isaac", 99},    {"Mohamed", 95},   {"Jerome", 91},
};
const people_table people_af_male = {people_af_male_e, N(people_af_male_e), 4709u};

static const people_entry people_af_female_e[] = {
    {"Chantelle", 1000}, {"Grace", 574},    {"Abena", 415}, {"Blessing", 330}, {"Folake", 276},
    {"Shanice", 238},    {"Precious", 211}, {"Ama", 189},   {"Jasmine", 172},  {"Ruth", 158},
    {"Esther", 147},     {"Faith", 137},    {"Nia", 128},   {"Aaliyah", 121},
};
const people_table people_af_female = {people_af_female_e, N(people_af_female_e), 4096u};

static const people_entry people_se_surnames_e[] = {
    {"Silva", 1000},    {"Santos", 785},     {"Ferreira", 681},     {"Rossi", 616},
    {"Russo", 569},     {"Garcia", 534},     {"Rodriguez", 506},    {"Popescu", 483},
    {"Ionescu", 463},   {"Hoxha", 447},      {"Papadopoulos", 432}, {"Yilmaz", 419},
    {"Kaya", 407},      {"Demir", 397},      {"Gashi", 388},        {"Lopez", 379},
    {"Fernandes", 371}, {"Costa", 364},      {"Pereira", 357},      {"Esposito", 350},
    {"Dumitru", 345},   {"Constantin", 339},
};
const people_table people_se_surnames = {people_se_surnames_e, N(people_se_surnames_e), 10632u};

static const people_entry people_se_male_e[] = {
    {"Marco", 1000}, {"Luca", 574},    {"Jose", 415},    {"Carlos", 330},
    {"Andrei", 276}, {"Ion", 238},     {"Mihai", 211},   {"Alban", 189},
    {"Mehmet", 172}, {"Giorgos", 158}, {"Antonio", 147}, {"Joao", 137},
    {"Florin", 128}, {"Stefan", 121},  {"Ali", 115},     {"Ardit", 109},
};
const people_table people_se_male = {people_se_male_e, N(people_se_male_e), 4320u};

static const people_entry people_se_female_e[] = {
    {"Maria", 1000}, {"Ana", 574},     {"Elena", 415}, {"Ioana", 330},     {"Sofia", 276},
    {"Giulia", 238}, {"Andreea", 211}, {"Ayse", 189},  {"Francesca", 172}, {"Carla", 158},
};
const people_table people_se_female = {people_se_female_e, N(people_se_female_e), 3563u};

static const people_entry people_ee_surnames_e[] = {
    {"Kowalski", 1000}, {"Nowak", 785},       {"Wisniewski", 681}, {"Wojcik", 616},
    {"Kaminski", 569},  {"Lewandowski", 534}, {"Kazlauskas", 506}, {"Petrov", 483},
    {"Ivanov", 463},    {"Novak", 447},       {"Horvat", 432},     {"Kovacs", 419},
    {"Zielinski", 407}, {"Jankowski", 397},   {"Balode", 388},     {"Berzins", 379},
};
const people_table people_ee_surnames = {people_ee_surnames_e, N(people_ee_surnames_e), 8506u};

static const people_entry people_ee_male_e[] = {
    {"Piotr", 1000},    {"Tomasz", 574}, {"Marcin", 415},  {"Pawel", 330},
    {"Krzysztof", 276}, {"Jakub", 238},  {"Andrius", 211}, {"Tomas", 189},
    {"Dmitri", 172},    {"Janis", 158},  {"Lukasz", 147},  {"Mateusz", 137},
};
const people_table people_ee_male = {people_ee_male_e, N(people_ee_male_e), 3847u};

static const people_entry people_ee_female_e[] = {
    {"Anna", 1000},  {"Katarzyna", 574}, {"Agnieszka", 415}, {"Monika", 330}, {"Magdalena", 276},
    {"Joanna", 238}, {"Ewa", 211},       {"Justyna", 189},   {"Inga", 172},   {"Olga", 158},
};
const people_table people_ee_female = {people_ee_female_e, N(people_ee_female_e), 3563u};

static const people_entry people_surname_prefix_e[] = {
    {"Ash", 1},   {"Brad", 1},  {"Whit", 1}, {"Hol", 1},   {"Ald", 1},  {"Black", 1}, {"Brom", 1},
    {"Cal", 1},   {"Chad", 1},  {"Craw", 1}, {"Dun", 1},   {"Fair", 1}, {"Gold", 1},  {"Hart", 1},
    {"Hey", 1},   {"Kirk", 1},  {"Lang", 1}, {"Lind", 1},  {"Mid", 1},  {"Mor", 1},   {"Nor", 1},
    {"Pen", 1},   {"Rad", 1},   {"Red", 1},  {"Ros", 1},   {"Sand", 1}, {"Shel", 1},  {"Stan", 1},
    {"Stock", 1}, {"Thorn", 1}, {"Wal", 1},  {"War", 1},   {"Wes", 1},  {"Ather", 1}, {"Bland", 1},
    {"Brock", 1}, {"Dal", 1},   {"Hal", 1},  {"Har", 1},   {"Hath", 1}, {"Lock", 1},  {"Rush", 1},
    {"Sedge", 1}, {"Whel", 1},  {"Wig", 1},  {"Cross", 1}, {"Hawk", 1}, {"Kings", 1}, {"Long", 1},
    {"Ship", 1},  {"Sher", 1},
};
const people_table people_surname_prefix = {people_surname_prefix_e, N(people_surname_prefix_e),
                                            51u};

static const people_entry people_surname_suffix_e[] = {
    {"ley", 1},  {"ton", 1},  {"ford", 1},  {"field", 1}, {"well", 1},  {"worth", 1}, {"wood", 1},
    {"by", 1},   {"ham", 1},  {"croft", 1}, {"shaw", 1},  {"stone", 1}, {"hurst", 1}, {"brook", 1},
    {"dale", 1}, {"more", 1}, {"wick", 1},  {"bury", 1},  {"low", 1},   {"land", 1},
};
const people_table people_surname_suffix = {people_surname_suffix_e, N(people_surname_suffix_e),
                                            20u};

static const people_entry people_offences_e[] = {
    {"Failing to appear (bench warrant)", 240},
    {"Breach of bail conditions", 160},
    {"Recall to prison (licence breach)", 120},
    {"Assault occasioning actual bodily harm", 90},
    {"Common assault", 80},
    {"Theft", 80},
    {"Burglary", 60},
    {"Possession with intent to supply", 50},
    {"Breach of court order", 50},
    {"Criminal damage", 40},
    {"Robbery", 30},
    {"Fraud by false representation", 30},
    {"Harassment", 30},
    {"Possession of an offensive weapon", 25},
    {"Handling stolen goods", 20},
    {"Grievous bodily harm with intent", 15},
    {"Dangerous driving", 15},
    {"Sexual assault", 10},
    {"Arson", 5},
    {"Rape", 5},
    {"Kidnap", 3},
    {"Murder", 2},
};
const people_table people_offences = {people_offences_e, N(people_offences_e), 1160u};

static const people_entry people_street_stem_e[] = {
    {"Larkspur", 1},   {"Wren", 1},      {"Heron", 1},    {"Kestrel", 1},   {"Bramble", 1},
    {"Foxglove", 1},   {"Marigold", 1},  {"Juniper", 1},  {"Hazel", 1},     {"Rowan", 1},
    {"Alder", 1},      {"Willow", 1},    {"Linnet", 1},   {"Plover", 1},    {"Sorrel", 1},
    {"Teasel", 1},     {"Yarrow", 1},    {"Campion", 1},  {"Speedwell", 1}, {"Tansy", 1},
    {"Bracken", 1},    {"Heather", 1},   {"Thistle", 1},  {"Elder", 1},     {"Hawthorn", 1},
    {"Blackthorn", 1}, {"Cowslip", 1},   {"Primrose", 1}, {"Bluebell", 1},  {"Mallow", 1},
    {"Clover", 1},     {"Saffron", 1},   {"Ember", 1},    {"Copper", 1},    {"Amber", 1},
    {"Quarry", 1},     {"Tannery", 1},   {"Weaver", 1},   {"Cooper", 1},    {"Chandler", 1},
    {"Mason", 1},      {"Millstone", 1}, {"Flint", 1},    {"Slate", 1},     {"Granite", 1},
    {"Chalk", 1},      {"Marl", 1},
};
const people_table people_street_stem = {people_street_stem_e, N(people_street_stem_e), 47u};

static const people_entry people_street_end_e[] = {
    {"", 1},      {"", 1},      {"", 1},       {"field", 1}, {"brook", 1}, {"wood", 1},
    {"dale", 1},  {"mead", 1},  {"croft", 1},  {"gate", 1},  {"hurst", 1}, {"well", 1},
    {" Hill", 1}, {" Park", 1}, {" Green", 1}, {" Bank", 1},
};
const people_table people_street_end = {people_street_end_e, N(people_street_end_e), 16u};

static const people_entry people_street_type_e[] = {
    {"Road", 30}, {"Street", 25}, {"Close", 15},   {"Avenue", 10}, {"Lane", 10},
    {"Drive", 8}, {"Way", 6},     {"Crescent", 5}, {"Gardens", 4}, {"Court", 3},
    {"Grove", 3}, {"Place", 2},   {"Terrace", 2},  {"Rise", 1},    {"Walk", 1},
};
const people_table people_street_type = {people_street_type_e, N(people_street_type_e), 125u};

const char *const people_forces[PEOPLE_FORCE_COUNT] = {
    "Avon and Somerset Constabulary",
    "Bedfordshire Police",
    "Cambridgeshire Constabulary",
    "Cheshire Constabulary",
    "City of London Police",
    "Cleveland Police",
    "Cumbria Constabulary",
    "Derbyshire Constabulary",
    "Devon and Cornwall Police",
    "Dorset Police",
    "Durham Constabulary",
    "Dyfed-Powys Police",
    "Essex Police",
    "Gloucestershire Constabulary",
    "Greater Manchester Police",
    "Gwent Police",
    "Hampshire and Isle of Wight Constabulary",
    "Hertfordshire Constabulary",
    "Humberside Police",
    "Kent Police",
    "Lancashire Constabulary",
    "Leicestershire Police",
    "Lincolnshire Police",
    "Merseyside Police",
    "Metropolitan Police Service",
    "Norfolk Constabulary",
    "North Wales Police",
    "North Yorkshire Police",
    "Northamptonshire Police",
    "Northumbria Police",
    "Nottinghamshire Police",
    "South Wales Police",
    "South Yorkshire Police",
    "Staffordshire Police",
    "Suffolk Constabulary",
    "Surrey Police",
    "Sussex Police",
    "Thames Valley Police",
    "Warwickshire Police",
    "West Mercia Police",
    "West Midlands Police",
    "West Yorkshire Police",
    "Wiltshire Police",
    "Police Scotland",
    "Police Service of Northern Ireland",
};

static const people_town towns[] = {
    {"London", "E", 18, 24, 1500},
    {"London", "N", 22, 24, 1500},
    {"London", "SE", 28, 24, 1800},
    {"London", "SW", 20, 24, 1500},
    {"London", "W", 14, 24, 900},
    {"London", "NW", 11, 24, 900},
    {"Croydon", "CR", 9, 24, 390},
    {"Romford", "RM", 20, 24, 250},
    {"Birmingham", "B", 99, 40, 1150},
    {"Wolverhampton", "WV", 16, 40, 260},
    {"Coventry", "CV", 12, 40, 350},
    {"Manchester", "M", 50, 14, 550},
    {"Bolton", "BL", 9, 14, 195},
    {"Oldham", "OL", 16, 14, 230},
    {"Stockport", "SK", 17, 14, 300},
    {"Wigan", "WN", 8, 14, 100},
    {"Leeds", "LS", 29, 41, 800},
    {"Bradford", "BD", 24, 41, 540},
    {"Huddersfield", "HD", 9, 41, 160},
    {"Wakefield", "WF", 17, 41, 200},
    {"Halifax", "HX", 7, 41, 90},
    {"Sheffield", "S", 36, 32, 560},
    {"Doncaster", "DN", 22, 32, 310},
    {"Liverpool", "L", 40, 23, 500},
    {"Bristol", "BS", 41, 0, 470},
    {"Bath", "BA", 16, 0, 100},
    {"Newcastle upon Tyne", "NE", 66, 29, 300},
    {"Sunderland", "SR", 8, 29, 175},
    {"Nottingham", "NG", 25, 30, 330},
    {"Leicester", "LE", 19, 21, 370},
    {"Derby", "DE", 75, 7, 260},
    {"Stoke-on-Trent", "ST", 21, 33, 260},
    {"Kingston upon Hull", "HU", 20, 18, 270},
    {"York", "YO", 62, 27, 210},
    {"Middlesbrough", "TS", 29, 5, 140},
    {"Durham", "DH", 9, 10, 50},
    {"Darlington", "DL", 17, 10, 110},
    {"Carlisle", "CA", 28, 6, 110},
    {"Preston", "PR", 9, 20, 150},
    {"Blackpool", "FY", 8, 20, 140},
    {"Blackburn", "BB", 18, 20, 120},
    {"Lancaster", "LA", 23, 20, 50},
    {"Chester", "CH", 66, 3, 120},
    {"Warrington", "WA", 16, 3, 210},
    {"Plymouth", "PL", 35, 8, 265},
    {"Exeter", "EX", 39, 8, 130},
    {"Truro", "TR", 27, 8, 20},
    {"Bournemouth", "BH", 31, 9, 200},
    {"Southampton", "SO", 53, 16, 250},
    {"Portsmouth", "PO", 41, 16, 210},
    {"Brighton", "BN", 45, 36, 280},
    {"Crawley", "RH", 20, 36, 120},
    {"Guildford", "GU", 52, 35, 80},
    {"Canterbury", "CT", 21, 19, 55},
    {"Maidstone", "ME", 20, 19, 110},
    {"Chelmsford", "CM", 24, 12, 180},
    {"Colchester", "CO", 16, 12, 190},
    {"Southend-on-Sea", "SS", 17, 12, 180},
    {"Norwich", "NR", 35, 25, 145},
    {"Ipswich", "IP", 33, 34, 140},
    {"Cambridge", "CB", 25, 2, 145},
    {"Peterborough", "PE", 38, 2, 215},
    {"Luton", "LU", 7, 1, 225},
    {"Watford", "WD", 25, 17, 100},
    {"Stevenage", "SG", 19, 17, 90},
    {"Oxford", "OX", 49, 37, 160},
    {"Reading", "RG", 45, 37, 175},
    {"Milton Keynes", "MK", 46, 37, 290},
    {"Slough", "SL", 9, 37, 160},
    {"Northampton", "NN", 18, 28, 230},
    {"Lincoln", "LN", 13, 22, 105},
    {"Gloucester", "GL", 56, 13, 135},
    {"Swindon", "SN", 26, 42, 230},
    {"Worcester", "WR", 15, 39, 105},
    {"Telford", "TF", 13, 39, 150},
    {"Hereford", "HR", 9, 39, 60},
    {"Warwick", "CV", 47, 38, 35},
    {"Cardiff", "CF", 48, 31, 360},
    {"Swansea", "SA", 73, 31, 240},
    {"Newport", "NP", 26, 15, 160},
    {"Wrexham", "LL", 78, 26, 65},
    {"Carmarthen", "SA", 73, 11, 15},
    {"Glasgow", "G", 84, 43, 630},
    {"Edinburgh", "EH", 55, 43, 510},
    {"Aberdeen", "AB", 56, 43, 200},
    {"Dundee", "DD", 11, 43, 150},
    {"Inverness", "IV", 56, 43, 50},
    {"Paisley", "PA", 49, 43, 77},
    {"Belfast", "BT", 17, 44, 345},
    {"Londonderry", "BT", 82, 44, 85},
    {"London", "EC", 4, 4, 10},
};
const people_town *const people_towns = towns;
const uint32_t people_town_count = N(towns);
const uint32_t people_town_total = 27042u;

/* PNC serials available per record year 1975..2024: 999,999 * exp(-(2024 - y) / 25),
 * so that recent years, which hold most live records, are the most frequent. */
const uint32_t people_year_capacity[PEOPLE_YEARS] = {
    140858u, 146606u, 152589u, 158817u, 165298u, 172044u, 179065u, 186373u, 193979u, 201896u,
    210135u, 218711u, 227637u, 236927u, 246596u, 256660u, 267135u, 278037u, 289383u, 301193u,
    313485u, 326279u, 339595u, 353454u, 367879u, 382892u, 398518u, 414782u, 431710u, 449328u,
    467665u, 486751u, 506616u, 527291u, 548811u, 571208u, 594519u, 618782u, 644035u, 670319u,
    697675u, 726148u, 755782u, 786627u, 818729u, 852142u, 886919u, 923115u, 960788u, 999999u,
};
const uint32_t people_year_total = 22051782u;
