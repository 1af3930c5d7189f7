package scale

import "strings"

// The name lists of the generated households: invented people with the names that the
// offices of a German city actually meet, grouped by origin, each name with the
// transliteration variants under which the same person turns up in different documents
// (Mohammed, Muhammad, Mohamed; Oleksandr, Olexandr, Alexander). A list is written as
// "name|variant|variant; name|variant; ...": the generator spells a person's name with one of
// the spellings and records the others as name variants, as a caseworker would.

// origin is a group of households of one background.
type origin struct {
	country string
	// weight is the share of households from here (relative to the other origins).
	weight    int
	languages []string // ISO 639 codes, the main one first
	families  [][]string
	female    [][]string
	male      [][]string
	statuses  []string
	// arrivals are the ranges of arrival years; a zero range means born or long settled here.
	arrivals [][2]int
}

// names parses a list "a|b; c; d|e|f" into its entries, each with its spellings.
func names(list string) [][]string {
	var out [][]string
	for _, entry := range strings.Split(list, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		var spellings []string
		for _, s := range strings.Split(entry, "|") {
			if s = strings.TrimSpace(s); s != "" {
				spellings = append(spellings, s)
			}
		}
		out = append(out, spellings)
	}
	return out
}

var origins = []origin{
	{
		country: "Syrien", weight: 20, languages: []string{"ar", "ku"},
		families: names(`Al-Ahmad|Alahmad|Al Ahmad; Haddad|Hadad; Khalil|Chalil|Khaleel; Darwish|Darwisch|Darwich; Hamdan;
			Al-Hussein|Alhussein|Al Hussain; Mustafa|Moustafa|Mustapha; Suleiman|Sulaiman|Sleiman; Al-Khatib|Alkhatib|El-Khatib;
			Nasser|Nasir|Naser; Al-Ali|Alali; Hassan|Hasan; Ibrahim|Ibraheem|Brahim; Youssef|Yousef|Yusuf|Jusuf; Othman|Osman|Uthman;
			Al-Masri|Almasri|El-Masri; Qassem|Kassem|Qasim; Al-Hamwi|Alhamwi; Shaheen|Schahin|Shahin; Mahmoud|Mahmud|Machmud;
			Al-Shami|Alshami|Al Chami; Abdulrahman|Abdul Rahman|Abdelrahman; Bakour|Bakur; Kurdi|Al-Kurdi; Hammoud|Hamoud|Hammud;
			Al-Halabi|Alhalabi|Halabi; Saleh|Salih|Saleeh; Awad|Awwad; Zaher|Zahir; Najjar|Nadschar|Al-Najjar; Sabbagh|Sabbag;
			Al-Omar|Alomar|Al Omar; Diab|Dyab|Diap; Haj Ali|Hadsch Ali|Hajali; Rahmoun|Rahmun; Al-Jasem|Aljasem|Al Jassim;
			Tlass|Tlas; Kanaan|Kanan|Canaan; Shalabi|Schalabi|Chalabi; Mansour|Mansur|Manssour; Hijazi|Hidschasi|Hejazi;
			Al-Rifai|Alrifai|Rifai; Jaber|Dschaber|Jabir; Aboud|Abboud|Abud; Khoury|Khouri|Churi; Attar|Al-Attar; Sawas|Sawwas;
			Issa|Isa|Eissa; Ramadan|Ramadhan; Sheikho|Scheicho|Shekho; Hamo|Hammo; Bozo|Bouzo; Mohammad|Mohamad|Muhammad`),
		female: names(`Fatima|Fatma|Fatimah; Aisha|Aischa|Ayesha; Rania|Ranya; Nour|Noor|Nur; Layla|Leila|Laila; Amal; Hiba|Heba;
			Yasmin|Jasmin|Yasmine; Rama; Lina|Leena; Dima; Sara|Sarah; Rasha|Rascha; Mariam|Maryam|Meriam; Huda|Houda;
			Reem|Rim; Ghada|Rhada; Salma|Selma; Hala; Joud|Jud; Asmaa|Asma; Zeinab|Zainab|Seinab; Nisreen|Nesrin|Nisrin; Souad|Suad`),
		male: names(`Mohammed|Muhammad|Mohamed|Mohammad|Muhammed; Ahmad|Ahmed|Achmed; Khaled|Chaled|Khalid; Omar|Umar|Omer;
			Yousef|Youssef|Yusuf|Jussuf; Hassan|Hasan; Karim|Kareem; Mahmoud|Mahmud; Ali; Abdullah|Abdallah|Abdulla; Hussein|Husain|Hussain;
			Mustafa|Moustafa|Mostafa; Ibrahim|Ibraheem; Rami|Ramy; Bashar|Baschar; Tarek|Tariq|Tarik; Walid|Waleed|Oualid;
			Samer|Sameer|Samir; Anas; Bilal; Hamza|Hamsa; Jamal|Gamal|Dschamal; Majd|Madsch; Firas; Nabil|Nabeel; Zaid|Zayd|Seid`),
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Niederlassungserlaubnis", "Aufenthaltserlaubnis § 25 Abs. 2 AufenthG",
			"Aufenthaltsgestattung", "Einbürgerung beantragt"},
		arrivals: [][2]int{{2015, 2017}, {2015, 2016}, {2018, 2025}},
	},
	{
		country: "Ukraine", weight: 18, languages: []string{"uk", "ru"},
		families: names(`Kovalenko|Kowalenko; Shevchenko|Schewtschenko|Ševčenko; Bondarenko; Tkachenko|Tkatschenko; Melnyk|Melnik|Mel'nyk;
			Kravchenko|Krawtschenko; Boyko|Bojko; Lysenko|Lyssenko; Savchuk|Sawtschuk; Kovalchuk|Kowaltschuk; Oliinyk|Olijnyk|Oleinik;
			Shevchuk|Schewtschuk; Polishchuk|Poliščuk|Polischtschuk; Bondar; Tkachuk|Tkatschuk; Marchenko|Martschenko; Rudenko;
			Moroz; Petrenko; Klymenko|Klimenko; Pavlenko|Pawlenko; Savchenko|Sawtschenko; Kuzmenko|Kusmenko; Ponomarenko;
			Vasylenko|Wassylenko|Vasilenko; Levchenko|Lewtschenko; Kharchenko|Chartschenko; Karpenko; Havrylyuk|Hawryljuk|Gavriljuk;
			Zinchenko|Sintschenko; Honcharenko|Hontscharenko|Goncharenko; Yurchenko|Jurtschenko|Iurchenko; Koval|Kowal;
			Kushnir|Kuschnir; Romanenko; Hrytsenko|Hryzenko|Gritsenko; Fedorenko|Fedorchenko; Ostapenko; Prykhodko|Prychodko|Prikhodko;
			Semenko|Ssemenko; Didenko; Zhuk|Schuk|Žuk; Yakovenko|Jakowenko; Humeniuk|Humenjuk|Gumenyuk`),
		female: names(`Olena|Elena|Jelena; Iryna|Irina; Nataliia|Natalija|Natalia|Natalya; Oksana; Yuliia|Julija|Julia|Iuliia;
			Tetiana|Tetjana|Tatjana|Tatiana; Sofiia|Sofija|Sofia; Anastasiia|Anastasija|Anastasia; Kateryna|Katerina|Jekaterina;
			Olha|Olga|Olgha; Svitlana|Swetlana|Svetlana; Viktoriia|Viktorija|Victoria; Mariia|Marija|Maria; Liudmyla|Ljudmyla|Ludmila;
			Halyna|Galina; Daryna|Darina; Anna|Hanna|Ganna; Valentyna|Walentyna|Valentina; Larysa|Larissa; Khrystyna|Chrystyna|Kristina`),
		male: names(`Oleksandr|Olexandr|Alexander|Oleksander|Aleksandr; Mykola|Nikolai|Mikola; Andrii|Andrij|Andrei|Andriy; Serhii|Serhij|Sergej|Sergiy;
			Dmytro|Dmitri|Dmitrij; Maksym|Maxim|Maksim; Volodymyr|Wolodymyr|Wladimir|Vladimir; Ivan|Iwan; Yurii|Jurij|Juri|Yuriy;
			Viktor|Wiktor; Taras; Bohdan|Bogdan; Artem|Artjom|Artyom; Denys|Denis; Oleh|Oleg; Vasyl|Wassyl|Vasiliy; Ihor|Igor;
			Roman; Yaroslav|Jaroslaw|Yaroslaw; Mykhailo|Mychajlo|Michail|Mikhail`),
		statuses: []string{"Aufenthaltserlaubnis § 24 AufenthG", "Aufenthaltserlaubnis § 24 AufenthG", "Fiktionsbescheinigung"},
		arrivals: [][2]int{{2022, 2022}, {2022, 2023}, {2024, 2026}},
	},
	{
		country: "Afghanistan", weight: 12, languages: []string{"fa", "ps"},
		families: names(`Ahmadi|Achmadi; Mohammadi|Muhammadi|Mohamadi; Hosseini|Husseini|Hosaini|Hussaini; Rahimi|Rachimi; Karimi|Karimy;
			Sultani|Soltani; Haidari|Haydari|Heidari; Noori|Nuri|Noury; Stanekzai|Stanikzai; Rezaei|Rezai|Resai; Sadat|Saadat;
			Jafari|Dschafari|Jaafari; Azizi|Asisi; Sharifi|Scharifi; Habibi; Nazari|Nasari; Qaderi|Kaderi|Ghaderi; Safi|Saafi;
			Popal|Popalzai; Wardak|Wardag; Amiri|Emiri; Hakimi|Hakeemi; Yousufi|Yusufi|Jussufi; Naseri|Nasiri|Nasseri; Samadi;
			Akbari|Akbary; Rasuli|Rasouli|Rassuli; Faizi|Faisi; Ghafoori|Ghafuri|Gafuri; Niazi|Nyazi; Mirzaei|Mirzai|Mirsai;
			Ebrahimi|Ibrahimi; Barakzai|Barakzay; Alokozai|Alokozay; Taheri|Tahiri; Hamidi|Hamedi; Zahedi|Sahedi; Mansoori|Mansuri`),
		female: names(`Zahra|Sahra|Zara; Maryam|Mariam; Fereshta|Fereshteh|Freschta; Parwana|Parvana; Shabnam|Schabnam; Nilofar|Nilufar|Nilofer;
			Mursal|Morsal; Mahboba|Mahbuba; Roya|Roja; Setareh|Setara|Sitara; Farzana|Farsana; Marzia|Marsia|Marziyeh; Habiba;
			Madina|Medina; Nargis|Narges|Nargiz; Shakila|Schakila; Tahmina|Tahmineh; Zarghona|Sarghuna|Zarghuna; Laila|Leila; Sima|Seema`),
		male: names(`Mohammad|Mohammed|Muhammad|Mohamad; Ahmad|Ahmed; Hamid|Hameed; Farid|Fareed; Jawid|Javid|Javed; Mustafa|Mostafa;
			Ali; Reza|Resa|Raza; Hassan|Hasan; Hussain|Hussein|Hossein; Sayed|Said|Seyed; Rahmatullah|Rahmatulla; Abdul Wahid|Abdulwahid;
			Nasir|Naser|Nasser; Zabihullah|Sabiullah|Zabiullah; Habib|Habeeb; Bashir|Baschir|Basheer; Omid|Umid; Khalil|Chalil; Yama|Jama`),
		statuses: []string{"Aufenthaltsgestattung", "Duldung", "Aufenthaltserlaubnis § 25 Abs. 3 AufenthG", "Aufenthaltserlaubnis § 22 AufenthG",
			"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG"},
		arrivals: [][2]int{{2015, 2016}, {2021, 2025}, {2017, 2020}},
	},
	{
		country: "Türkei", weight: 14, languages: []string{"tr", "ku"},
		families: names(`Yılmaz|Yilmaz; Kaya|Kaja; Demir; Çelik|Celik|Tschelik; Şahin|Sahin|Schahin; Aydın|Aydin; Öztürk|Oeztuerk|Ozturk;
			Doğan|Dogan; Arslan|Aslan; Kılıç|Kilic; Yıldız|Yildiz; Yıldırım|Yildirim; Özdemir|Oezdemir|Ozdemir; Erdoğan|Erdogan;
			Koç|Koc|Kotsch; Kurt; Özkan|Oezkan|Ozkan; Şimşek|Simsek; Polat; Korkmaz; Çetin|Cetin; Aksoy|Aksoi; Kara; Güneş|Guenes|Gunes;
			Acar|Adschar; Altun|Altın|Altin; Kaplan; Bulut; Keskin; Ünal|Uenal|Unal; Tekin; Aktaş|Aktas; Güler|Gueler|Guler;
			Karataş|Karatas; Uçar|Ucar; Bozkurt; Erdem; Turan; Avcı|Avci|Awdschi; Duman; Sarı|Sari; Işık|Isik|Ischik; Tunç|Tunc`),
		female: names(`Ayşe|Ayse|Aische; Elif; Zeynep|Zeynab|Seynep; Fatma|Fatima; Merve; Emine; Hatice|Hatidsche|Hatige; Büşra|Buesra|Busra;
			Esra; Özlem|Oezlem|Ozlem; Derya; Gül|Guel|Gul; Sevgi|Sewgi; Yasemin|Jasmin; Hülya|Huelya|Hulya; Nur; Şeyma|Seyma; Dilara;
			Melek; Songül|Songuel|Songul`),
		male: names(`Mehmet|Mehmed; Emre; Mustafa; Hüseyin|Hueseyin|Huseyin; Deniz; Ahmet|Ahmed; Ali; İbrahim|Ibrahim;
			Murat|Murad; Hasan|Hassan; Osman; Yusuf|Jusuf; Ömer|Oemer|Omer; Burak; Serkan; Kemal; Halil|Chalil; Erkan; Cem|Dschem; Tolga`),
		statuses: []string{"Niederlassungserlaubnis", "Aufenthaltserlaubnis § 28 AufenthG", "Aufenthaltsgestattung", "Duldung",
			"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG"},
		arrivals: [][2]int{{2022, 2026}, {1995, 2015}, {2016, 2021}},
	},
	{
		country: "Irak", weight: 8, languages: []string{"ar", "ku"},
		families: names(`Al-Jubouri|Aljuburi|Al Jaburi; Ibrahim|Ibraheem; Saleh|Salih; Barzani|Barsani; Zebari|Sebari; Abdullah|Abdallah;
			Al-Tamimi|Altamimi|Tamimi; Al-Obaidi|Alobaidi|Al Ubaidi; Al-Dulaimi|Aldulaimi|Dulaimi; Khidir|Khider|Chidir; Murad|Mourad;
			Qasim|Kasim|Kassim; Shingali|Schingali|Sinjari; Rashid|Raschid|Rasheed; Al-Saadi|Alsaadi|Saadi; Hamad|Hammad;
			Talabani|Talebani; Kakai|Kakaei; Hawrami|Hewrami; Jalal|Dschalal|Galal; Omar|Umar; Naji|Nadschi; Aziz|Asis`),
		female: names(`Shirin|Schirin|Shireen; Dilan; Rojin|Rozhin; Zainab|Zeinab; Huda|Houda; Nadia|Nadja; Ban; Shaima|Schaima|Shaimaa;
			Hevin|Hewin; Nisrin|Nesrin; Rawa; Sozan|Susan`),
		male: names(`Azad|Asad; Kawa; Ali; Hussein|Husain|Hussain; Haval|Hawal; Ahmed|Ahmad; Karwan|Karvan; Rebwar|Rebuar; Diyar|Dijar;
			Hoshyar|Hoschiar|Hoshiar; Sabah|Sabach; Salam; Khudhur|Chudur|Khidr; Yasir|Yasser|Jassir; Zana|Sana`),
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung", "Aufenthaltsgestattung", "Niederlassungserlaubnis"},
		arrivals: [][2]int{{2015, 2019}, {2007, 2014}},
	},
	{
		country: "Iran", weight: 5, languages: []string{"fa", "az"},
		families: names(`Hosseini|Hoseini|Husseini; Mohammadi|Mohamadi; Rezaei|Rezai|Resaei; Ahmadi; Karimi; Moradi|Muradi; Jafari|Dschafari;
			Kazemi|Kasemi|Kadhemi; Rahmani|Rachmani; Ghorbani|Qorbani|Gorbani; Sadeghi|Sadeqi|Sadeghy; Hashemi|Haschemi;
			Nouri|Nuri|Noori; Shirazi|Schirasi; Tehrani|Teherani; Rostami|Rustami; Najafi|Nadschafi; Yazdani|Jasdani; Ebrahimi|Ibrahimi;
			Akbari; Bagheri|Baqeri|Bageri; Soleimani|Suleimani|Solaimani; Abbasi|Abasi; Esmaili|Ismaili|Esmaeili`),
		female: names(`Maryam|Mariam; Fatemeh|Fatima|Fateme; Zahra|Sahra; Narges|Nargis; Neda; Parisa|Parissa; Shirin|Schirin; Mahsa|Masa;
			Leila|Leyla|Laila; Samira; Golnar|Gulnar; Azadeh|Azade|Asade; Nasrin|Nasreen; Mina`),
		male: names(`Ali; Reza|Resa; Mohammad|Mohammed|Mohamad; Hossein|Hussein|Hosein; Mehdi|Mahdi|Mehdy; Amir|Emir; Hamid|Hamed;
			Saeed|Said|Saed; Behnam|Bechnam; Arash|Arasch; Babak; Dariush|Darius|Daryush; Omid|Umid; Kian|Kiyan`),
		statuses: []string{"Aufenthaltsgestattung", "Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung", "Aufenthaltserlaubnis § 16b AufenthG"},
		arrivals: [][2]int{{2015, 2025}},
	},
	{
		country: "Eritrea", weight: 4, languages: []string{"ti", "ar"},
		families: names(`Tesfaye|Tesfay|Tesfai; Haile|Hayle|Hailu; Gebremedhin|Gebremedin|Gebre Medhin; Berhane|Berhe|Birhane; Tekle|Teklay;
			Woldemariam|Weldemariam|Wolde Mariam; Kidane|Kidanemariam; Ghebreyesus|Gebreyesus|Ghebreiesus; Mehari|Mehary;
			Tsegay|Tsegaye|Tsegai; Habte|Habtom; Asfaha|Asfeha; Yohannes|Johannes|Yohanes; Abraha|Abreha; Negash|Negasch;
			Andemariam|Andemichael; Fesehaye|Fessehaye|Fisseha; Okbay|Okbai`),
		female: names(`Semira|Samira; Helen|Hellen; Senait|Senayt|Senaid; Mebrat|Mebrahtu; Selam|Salam; Saba; Luwam|Luam; Winta|Wintana;
			Ruta|Rutha; Yodit|Judith|Yodith; Feven|Fewen; Hiwet|Hewet`),
		male: names(`Yonas|Jonas|Yonatan; Dawit|Dawid|Dawitt; Samuel|Samiel; Yohannes|Johannes|Yohanes; Filmon|Philemon; Biniam|Biniyam|Binyam;
			Michael|Mikael|Michele; Robel|Rubel; Amanuel|Emanuel|Emmanuel; Mulugeta; Efrem|Ephrem; Tesfalem`),
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Aufenthaltsgestattung", "Niederlassungserlaubnis"},
		arrivals: [][2]int{{2014, 2020}},
	},
	{
		country: "Somalia", weight: 3, languages: []string{"so", "ar"},
		families: names(`Warsame|Warsama; Farah|Faarax; Osman|Cismaan|Othman; Jama|Jaamac; Abdi|Cabdi; Hassan|Xasan|Hasan; Mohamed|Maxamed|Mohammed;
			Ali|Cali; Ahmed|Axmed|Ahmad; Yusuf|Yuusuf|Yousuf; Hussein|Xuseen|Husein; Omar|Cumar; Abdullahi|Cabdullaahi; Nur|Nuur|Noor;
			Ibrahim|Ibraahim; Aden|Aadan|Adan; Egal|Cigaal; Dirie|Diriye`),
		female: names(`Hodan|Hodon; Fadumo|Faduma|Fatuma; Amina|Aamina; Hawa|Xaawo|Hawo; Khadija|Khadra|Khadiija; Asha|Caasha|Aisha;
			Sahra|Sahro|Zahra; Ifrah|Ifra; Nimco|Nimo|Nimko; Sagal|Saagal`),
		male: names(`Abdirahman|Cabdiraxmaan|Abdurrahman; Abdullahi|Cabdullaahi|Abdallah; Mahad|Maxad; Ahmed|Axmed; Mohamed|Maxamed|Muhammad;
			Abdikarim|Cabdikariim; Liban|Liibaan; Hamza|Xamza; Said|Saciid|Saeed; Bashir|Bashiir`),
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung", "Aufenthaltsgestattung"},
		arrivals: [][2]int{{2014, 2021}},
	},
	{
		country: "Südosteuropa", weight: 6, languages: []string{"ro", "bg"},
		families: names(`Popescu|Popesku; Ionescu|Ionesku; Munteanu|Munteano; Stoica|Stoika; Rădulescu|Radulescu; Dumitru|Dumitrou; Stan;
			Gheorghe|Georghe|Gheorge; Constantin|Konstantin; Florea|Florja; Ivanov|Iwanow|Ivanoff; Georgiev|Georgiew; Dimitrov|Dimitrow;
			Petrov|Petrow; Nikolov|Nikolow; Stoyanov|Stojanow; Todorov|Todorow; Kolev|Kolew; Hristov|Christov|Hristow; Mihai|Mihay;
			Rusu|Russu; Lungu; Ciobanu|Tschobanu|Chiobanu; Zamfir|Samfir; Balan|Bălan; Marin; Tudor; Oprea|Opra; Enache|Enake`),
		female: names(`Ioana|Iona; Andreea|Andrea; Mihaela|Michaela; Elena|Jelena; Maria|Marija; Gabriela; Alexandra|Aleksandra;
			Daniela; Simona; Raluca|Raluka; Desislava|Dessislawa|Desislawa; Petya|Petja; Radostina|Radostina; Teodora|Theodora`),
		male: names(`Andrei|Andrej; Ion|Ioan|Jon; Mihai|Mihail|Michail; Florin; Alexandru|Aleksandar|Alexander; Gheorghe|Georgi|Georg;
			Constantin|Konstantin; Ionuț|Ionut; Stefan|Ștefan|Stefan; Dimitar|Dimitri|Dimitar; Ivan|Iwan; Petar|Peter|Petre; Nikolai|Nikolay`),
		statuses: []string{"Freizügigkeit (EU)"},
		arrivals: [][2]int{{2010, 2026}},
	},
	{
		country: "Westbalkan", weight: 4, languages: []string{"sr", "sq"},
		families: names(`Berisha|Berischa; Krasniqi|Krasnici; Gashi|Gaschi; Hoxha|Hodscha|Hodža; Shala|Schala; Morina; Kelmendi;
			Bytyqi|Bytyci|Bütütschi; Jovanović|Jovanovic|Jowanowitsch; Petrović|Petrovic|Petrowitsch; Nikolić|Nikolic|Nikolitsch;
			Marković|Markovic|Markowitsch; Đorđević|Djordjevic|Dordevic; Stojanović|Stojanovic; Ilić|Ilic|Ilitsch; Hodžić|Hodzic|Hodschitsch;
			Hasanović|Hasanovic; Mehmedović|Mehmedovic; Begić|Begic; Osmani|Osmanaj; Rexhepi|Redzepi|Redschepi`),
		female:   names(`Arta; Blerta; Drita; Fjolla|Fjola; Teuta; Vesna|Wesna; Jelena|Elena; Milica|Militza; Ana|Anna; Amra; Emina|Emine; Merima`),
		male:     names(`Arben; Bekim; Driton; Fatmir; Labinot; Valon|Walon; Dragan; Milan; Nikola|Nikolaus; Marko|Marco; Emir|Amir; Edin; Senad`),
		statuses: []string{"Duldung", "Aufenthaltserlaubnis § 25 Abs. 5 AufenthG", "Aufenthaltserlaubnis § 19c AufenthG", "Niederlassungserlaubnis"},
		arrivals: [][2]int{{2013, 2025}, {1992, 2000}},
	},
	{
		country: "Russland und Zentralasien", weight: 3, languages: []string{"ru", "uz"},
		families: names(`Ivanov|Iwanow|Ivanoff; Smirnov|Smirnow; Kuznetsov|Kusnezow|Kuznecov; Popov|Popow; Sokolov|Sokolow; Lebedev|Lebedew;
			Kozlov|Koslow; Novikov|Nowikow; Morozov|Morosow; Volkov|Wolkow; Karimov|Karimow; Rakhimov|Rachimow|Rahimov;
			Yusupov|Jussupow|Iusupov; Abdullaev|Abdullajew|Abdulaev; Nazarov|Nasarow; Aliev|Alijew|Aliyev; Mamedov|Mamedow|Mammadov;
			Kadyrov|Kadyrow; Tashkentov|Taschkentow; Omarov|Omarow`),
		female: names(`Elena|Jelena|Yelena; Natalia|Natalja|Nataliya; Olga|Olha; Tatiana|Tatjana|Tatyana; Irina|Iryna; Dilnoza|Dilnosa;
			Gulnara|Gulnora; Madina|Medina; Zarina|Sarina; Aigerim|Ajgerim`),
		male: names(`Sergei|Sergej|Sergey; Dmitri|Dmitrij|Dmitry; Alexei|Alexej|Aleksey; Ivan|Iwan; Nikolai|Nikolaj; Rustam|Rustem;
			Timur|Temur; Bakhtiyor|Bachtijor|Bakhtiyar; Farrukh|Farruch|Farukh; Azamat|Asamat`),
		statuses: []string{"Aufenthaltsgestattung", "Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung", "Aufenthaltserlaubnis § 23 AufenthG"},
		arrivals: [][2]int{{2022, 2025}, {1995, 2005}},
	},
	{
		country: "Westafrika", weight: 3, languages: []string{"fr", "en"},
		families: names(`Diallo|Djallo|Jallow; Bah|Ba; Barry|Bari; Sow|Sowe; Camara|Kamara; Touré|Toure|Ture; Traoré|Traore|Trawally;
			Keita|Keïta|Kejta; Cissé|Cisse|Sissé; Konaté|Konate; Sylla|Silla; Okafor|Okafoh; Adeyemi|Adejemi; Okonkwo|Okonko;
			Mensah|Mensa; Owusu|Owussu; Asante|Asanti; Boateng|Boatenh; Ndiaye|N'Diaye|Njaay; Fofana|Fofanah`),
		female: names(`Fatoumata|Fatumata|Fatou; Aminata|Aminatou; Mariama|Mariam; Kadiatou|Kadiatu|Khadija; Aissatou|Aïssatou|Aisatu;
			Adjoa|Adwoa; Chiamaka|Tschiamaka; Blessing; Grace; Abena`),
		male: names(`Mamadou|Mamadu; Ibrahima|Ibrahim; Ousmane|Usman|Osman; Abdoulaye|Abdulai|Abdullahi; Moussa|Musa|Mussa;
			Sekou|Sékou|Seku; Kwame|Kwami; Chinedu|Tschinedu; Emmanuel|Immanuel; Alpha|Alfa`),
		statuses: []string{"Aufenthaltsgestattung", "Duldung", "Aufenthaltserlaubnis § 25 Abs. 5 AufenthG", "Aufenthaltserlaubnis § 16b AufenthG"},
		arrivals: [][2]int{{2015, 2025}},
	},
	{
		country: "Polen", weight: 3, languages: []string{"pl"},
		families: names(`Nowak|Nowack; Kowalski|Kowalsky; Wiśniewski|Wisniewski|Wischnewski; Wójcik|Wojcik|Woitschik; Kowalczyk|Kowaltschyk;
			Kamiński|Kaminski; Lewandowski|Lewandowsky; Zieliński|Zielinski|Sielinski; Szymański|Szymanski|Schimanski; Woźniak|Wozniak;
			Dąbrowski|Dabrowski|Dombrowski; Kozłowski|Kozlowski|Koslowski; Jankowski|Jankowsky; Mazur|Masur; Krawczyk|Krawtschyk`),
		female:   names(`Anna; Katarzyna|Katharina|Kasia; Małgorzata|Malgorzata|Margarete; Agnieszka|Agnes; Joanna|Johanna; Magdalena; Ewa|Eva; Monika`),
		male:     names(`Piotr|Peter; Krzysztof|Christoph|Krzysiek; Tomasz|Thomas; Paweł|Pawel|Paul; Marcin|Martin; Michał|Michal|Michael; Łukasz|Lukasz|Lukas; Jakub|Jakob`),
		statuses: []string{"Freizügigkeit (EU)"},
		arrivals: [][2]int{{2004, 2026}},
	},
	{
		country: "Deutschland", weight: 10, languages: []string{"de"},
		families: names(`Müller|Mueller|Muller; Schmidt|Schmitt|Schmid; Schneider|Schnaider; Fischer|Fisher; Weber; Meyer|Meier|Mayer|Maier;
			Wagner; Becker|Bäcker; Schulz|Schultz|Schulze; Hoffmann|Hofmann; Schäfer|Schaefer|Schafer; Koch; Bauer; Richter; Klein; Wolf|Wolff;
			Schröder|Schroeder|Schroder; Neumann; Schwarz; Zimmermann; Braun; Krüger|Krueger|Kruger; Hofmann; Hartmann; Lange; Schmitz;
			Werner; Krause; Meier; Lehmann; Schmid; Schulze; Maier; Köhler|Koehler|Kohler; Herrmann|Hermann; König|Koenig|Konig;
			Walter|Walther; Mayer; Huber; Kaiser|Kayser; Fuchs; Peters; Lang; Scholz|Scholtz; Möller|Moeller|Moller; Weiß|Weiss|Weis;
			Jung; Hahn; Schubert; Vogel; Friedrich; Keller; Günther|Guenther|Gunther; Frank; Berger; Winkler; Roth; Beck; Lorenz;
			Baumann; Franke; Albrecht; Schuster; Simon; Ludwig; Böhm|Boehm|Bohm; Winter; Kraus|Krauss|Krauß; Martin; Schumacher;
			Krämer|Kraemer|Kramer; Vogt|Voigt|Vogd; Stein; Jäger|Jaeger|Jager; Otto; Sommer; Groß|Gross; Seidel|Seidl; Heinrich;
			Brandt|Brand; Haas|Haase; Schreiber; Graf|Graaf; Schulte; Dietrich; Ziegler; Kuhn; Kühn|Kuehn|Kuhn; Pohl; Engel; Horn;
			Busch; Bergmann; Thomas; Voß|Voss|Vos; Sauer; Arnold; Wolff; Pfeiffer|Pfeifer; Brinkmann|Brinckmann; Meyer zu Hörste|Meyer zu Hoerste;
			Niehaus|Niehues; Osterhaus|Osterhues; Wessels|Wesselmann; Tiemann|Thiemann; Kleine-Brockhoff|Kleine Brockhoff; Schürmann|Schuermann`),
		female: names(`Anna; Maria|Marie; Julia; Laura; Lena; Sarah|Sara; Lisa; Katharina|Katarina|Kathrin; Sabine; Petra; Claudia|Klaudia;
			Andrea; Stefanie|Stephanie; Nicole|Nikole; Christina|Kristina|Christine; Sandra; Melanie; Jessica|Jessika; Birgit; Monika|Monica;
			Emma; Mia; Hannah|Hanna; Sophie|Sofie|Sophia; Leonie; Lea|Leah; Jana; Ursula|Uschi; Heike; Gisela`),
		male: names(`Thomas; Michael|Michel; Andreas; Stefan|Stephan; Christian|Kristian; Markus|Marcus; Daniel; Alexander; Sebastian;
			Jan; Tobias; Jonas; Lukas|Lucas; Felix; Maximilian; Paul; Leon; Finn|Fynn; Peter; Wolfgang; Jürgen|Juergen|Jurgen;
			Klaus|Claus; Frank; Matthias|Mathias; Uwe; Dirk; Ralf|Ralph; Torsten|Thorsten; Bernd|Bernhard; Heinz`),
		statuses: []string{"deutsche Staatsangehörigkeit"},
		arrivals: [][2]int{{0, 0}},
	},
}

// staffFamilies and staffGiven are the names of the generated staff: Germans and colleagues
// of every background, as in a city's offices and its partners.
var (
	staffFamilies = func() [][]string {
		var out [][]string
		for _, o := range origins {
			if o.country == "Deutschland" || o.country == "Türkei" || o.country == "Polen" {
				out = append(out, o.families...)
			}
		}
		return out
	}()
	staffGiven = func() [][]string {
		var out [][]string
		for _, o := range origins {
			if o.country == "Deutschland" || o.country == "Türkei" || o.country == "Syrien" || o.country == "Polen" {
				out = append(append(out, o.female...), o.male...)
			}
		}
		return out
	}()
)

// districts are the districts (Stadtteile) of the generated city.
var districts = []string{
	"Innenstadt", "Altstadt", "Neustadt", "Schinkel", "Schinkel-Ost", "Wüste", "Eversburg", "Dodesheide", "Haste", "Sonnenhügel",
	"Kalkhügel", "Hellern", "Atter", "Voxtrup", "Widukindland", "Westerberg", "Weststadt", "Schölerberg", "Lüstringen", "Sutthausen",
	"Nahne", "Pye", "Hafen", "Fledder", "Gartlage", "Darum", "Gretesch", "Nordstadt", "Südstadt", "Oststadt", "Bahnhofsviertel",
	"Rosenplatz", "Kreuzviertel", "Lindenviertel", "Am Hauptfriedhof", "Sandbach", "Mühlenfeld", "Stadtfeld",
}

// streets are invented street names.
var streets = []string{
	"Lindenweg", "Am Kirchenkamp", "Birkenstraße", "Hasestraße", "Am Pappelgraben", "Mühlenweg", "Rosenplatz", "Ahornweg",
	"Am Wiesenbach", "Eichenallee", "Kastanienhof", "Am Sportpark", "Bergstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße",
	"Am Markt", "Feldstraße", "Wiesenweg", "Kirchstraße", "Parkstraße", "Goethestraße", "Schillerstraße", "Hauptstraße",
	"Am Bürgerpark", "Friedensstraße", "Kiefernweg", "Tannenweg", "Buchenring", "Im Winkel", "Am Hang", "Uferstraße",
}
