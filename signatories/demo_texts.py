# ruff: noqa: E501, RUF001
"""The demo letter's text in the other UN languages (signatories.demo has the English, the
authoritative text). Translated for the demo: a real coalition has its texts translated and
checked by its own people."""

DEMO_TEXTS = {
    "ar": {
        "title": "منظمات المجتمع المدني في أنحاء العالم تحث الأمم المتحدة على إنشاء آلية مستقلة بشأن انتهاكات حقوق الإنسان في الصين",
        "summary": "تدعو منظمات من جميع المناطق مجلس حقوق الإنسان التابع للأمم المتحدة إلى عقد دورة استثنائية وإنشاء آلية دولية مستقلة لرصد انتهاكات حقوق الإنسان التي ترتكبها الحكومة الصينية والإبلاغ عنها.",
        "body": """\
أصحاب السعادة،

نحن منظمات المجتمع المدني الموقعة أدناه، من جميع مناطق العالم، نكتب إليكم لنحثكم على التحرك دون
مزيد من التأخير إزاء الانتهاكات الجسيمة لحقوق الإنسان التي ترتكبها حكومة جمهورية الصين الشعبية.

منذ سنوات، يعرب خبراء الأمم المتحدة وهيئات المعاهدات والإجراءات الخاصة عن بالغ القلق إزاء ما يلي:

- الاحتجاز التعسفي **لأكثر من مليون** شخص من الويغور وغيرهم من المسلمين المنتمين إلى الشعوب
  التركية في منطقة شينجيانغ الويغورية المتمتعة بالحكم الذاتي، وما يحيط به من مراقبة وعمل قسري
  وتفريق للأسر؛
- قمع حرية الدين وحرية التعبير وحرية التنقل لدى التبتيين؛
- تفكيك الحريات الأساسية في هونغ كونغ بموجب قانون الأمن الوطني؛
- اضطهاد المدافعين عن حقوق الإنسان والمحامين والصحفيين وأسرهم في جميع أنحاء البلد، والأعمال
  الانتقامية ضد من يتعاونون مع الأمم المتحدة.

وقد رفضت الحكومة الصينية هذه الشواغل، وامتنعت عن السماح لمفوض الأمم المتحدة السامي لحقوق الإنسان
وللخبراء المستقلين بالوصول دون قيود. ولم تفلح البيانات وحدها في تغيير سلوكها.

## مطالبنا

1. أن يعقد مجلس حقوق الإنسان **دورة استثنائية** لتقييم نطاق انتهاكات حقوق الإنسان التي ترتكبها
   الحكومة الصينية.
2. أن ينشئ المجلس **آلية دولية مستقلة**، مثل مقرر خاص أو فريق خبراء أو لجنة تحقيق، لرصد الحالة
   وتحليلها وتقديم تقارير سنوية عنها.
3. أن تتخذ الدول الأعضاء في الأمم المتحدة إجراءات حاسمة في الوقت المناسب، بما في ذلك في الجمعية
   العامة، لضمان المساءلة ووضع حد لهذه الانتهاكات.

لا ينبغي أن تكون أي دولة بمنأى عن التدقيق في المجلس. فمصداقية منظومة الأمم المتحدة لحقوق الإنسان
تتوقف على تطبيق المعايير ذاتها على الأقوياء والضعفاء على حد سواء.

وتفضلوا بقبول فائق الاحترام والتقدير،

*المنظمات الموقعة أدناه*
""",
    },
    "zh-hans": {
        "title": "世界各地民间社会团体敦促联合国设立关于中国侵犯人权行为的独立机制",
        "summary": "来自各区域的组织呼吁联合国人权理事会召开特别会议，并设立一个独立国际机制，对中国政府侵犯人权的行为进行监测和报告。",
        "body": """\
各位阁下：

我们是来自世界各区域的民间社会组织，谨联名致函，敦促各位不再拖延，立即采取行动，应对中华人民共和国政府严重侵犯人权的行为。

多年来，联合国专家、条约机构和特别程序一再对以下问题发出警示：

- 新疆维吾尔自治区**一百多万**维吾尔族人和其他突厥裔穆斯林遭到任意拘留，以及与之相伴的监控、强迫劳动和家庭分离；
- 藏人的宗教自由、表达自由和迁徙自由受到压制；
- 香港的基本自由在《国家安全法》之下遭到瓦解；
- 人权维护者、律师、记者及其家人在全国各地受到迫害，与联合国合作的人士遭到报复。

中国政府拒绝接受这些关切，并拒绝让联合国人权事务高级专员和独立专家不受阻碍地进行访问。仅凭声明未能改变其行为。

## 我们的要求

1. 请人权理事会召开**特别会议**，评估中国政府侵犯人权行为的范围。
2. 请理事会设立**独立国际机制**，如特别报告员、专家小组或调查委员会，对有关情况进行监测和分析，并每年提出报告。
3. 请联合国会员国采取及时、果断的行动，包括在大会采取行动，以确保问责并终止这些侵权行为。

任何国家都不应凌驾于理事会的审查之上。联合国人权体系的公信力取决于对强者和弱者适用同样的标准。

谨致崇高敬意。

*下列签署组织*
""",
    },
    "fr": {
        "title": "Des organisations de la société civile du monde entier exhortent l'ONU à créer un mécanisme indépendant sur les violations des droits de l'homme en Chine",
        "summary": "Des organisations de toutes les régions du monde appellent le Conseil des droits de l'homme de l'ONU à convoquer une session extraordinaire et à créer un mécanisme international indépendant chargé de surveiller les violations des droits de l'homme commises par le gouvernement chinois et d'en rendre compte.",
        "body": """\
Excellences,

Nous, organisations de la société civile soussignées, issues de toutes les régions du monde, vous
écrivons pour vous exhorter à agir sans plus tarder face aux graves violations des droits de
l'homme commises par le gouvernement de la République populaire de Chine.

Depuis des années, les experts, les organes conventionnels et les procédures spéciales de
l'Organisation des Nations Unies font part de leur vive inquiétude concernant :

- la détention arbitraire de **plus d'un million** d'Ouïghours et d'autres musulmans turciques
  dans la Région autonome ouïghoure du Xinjiang, ainsi que la surveillance, le travail forcé et la
  séparation des familles qui l'accompagnent ;
- la répression de la liberté de religion, d'expression et de circulation des Tibétains ;
- le démantèlement des libertés fondamentales à Hong Kong en application de la loi sur la sécurité
  nationale ;
- la persécution des défenseurs des droits de l'homme, des avocats, des journalistes et de leurs
  familles dans l'ensemble du pays, ainsi que les représailles exercées contre les personnes qui
  coopèrent avec l'ONU.

Le gouvernement chinois a rejeté ces préoccupations et a refusé au Haut-Commissaire des Nations
Unies aux droits de l'homme et aux experts indépendants un accès sans entrave. Les déclarations à
elles seules n'ont pas modifié son comportement.

## Nos demandes

1. Que le Conseil des droits de l'homme convoque une **session extraordinaire** afin d'évaluer
   l'ampleur des violations des droits de l'homme commises par le gouvernement chinois.
2. Que le Conseil crée un **mécanisme international indépendant**, tel qu'un rapporteur spécial,
   un groupe d'experts ou une commission d'enquête, chargé de surveiller et d'analyser la
   situation et d'en rendre compte chaque année.
3. Que les États Membres de l'ONU prennent des mesures rapides et résolues, y compris à
   l'Assemblée générale, afin de faire respecter le principe de responsabilité et de mettre fin à
   ces violations.

Aucun État ne devrait échapper à l'examen du Conseil. La crédibilité du système des droits de
l'homme de l'ONU dépend de l'application des mêmes normes aux puissants comme aux faibles.

Veuillez agréer, Excellences, l'assurance de notre très haute considération.

*Les organisations signataires*
""",
    },
    "ru": {
        "title": "Организации гражданского общества всего мира призывают ООН учредить независимый механизм для рассмотрения нарушений прав человека в Китае",
        "summary": "Организации из всех регионов мира призывают Совет ООН по правам человека созвать специальную сессию и учредить независимый международный механизм для наблюдения за нарушениями прав человека, совершаемыми правительством Китая, и представления докладов о них.",
        "body": """\
Ваши превосходительства!

Мы, нижеподписавшиеся организации гражданского общества из всех регионов мира, обращаемся к вам с
настоятельным призывом безотлагательно принять меры в связи с серьезными нарушениями прав
человека, совершаемыми правительством Китайской Народной Республики.

На протяжении многих лет эксперты, договорные органы и специальные процедуры Организации
Объединенных Наций выражают тревогу в связи со следующим:

- произвольным задержанием **более миллиона** уйгуров и других тюркских мусульман в
  Синьцзян-Уйгурском автономном районе, а также сопутствующими ему слежкой, принудительным трудом
  и разлучением семей;
- подавлением свободы вероисповедания, свободы выражения мнений и свободы передвижения тибетцев;
- свертыванием основных свобод в Сянгане (Гонконге) на основании Закона о национальной
  безопасности;
- преследованием правозащитников, адвокатов, журналистов и членов их семей по всей стране, а также
  репрессиями в отношении тех, кто сотрудничает с ООН.

Правительство Китая отвергло эти опасения и отказалось предоставить Верховному комиссару ООН по
правам человека и независимым экспертам беспрепятственный доступ. Одних лишь заявлений оказалось
недостаточно, чтобы изменить его поведение.

## Наши призывы

1. Совету по правам человека следует созвать **специальную сессию**, чтобы оценить весь масштаб
   нарушений прав человека, совершаемых правительством Китая.
2. Совету следует учредить **независимый международный механизм**, например специального
   докладчика, группу экспертов или комиссию по расследованию, для наблюдения за положением, его
   анализа и ежегодного представления докладов о нем.
3. Государствам — членам ООН следует принять своевременные и решительные меры, в том числе в
   Генеральной Ассамблее, для обеспечения привлечения виновных к ответственности и прекращения
   этих нарушений.

Ни одно государство не должно оставаться вне контроля со стороны Совета. Доверие к правозащитной
системе ООН зависит от применения одних и тех же стандартов как к сильным, так и к слабым.

С уважением,

*Нижеподписавшиеся организации*
""",
    },
    "es": {
        "title": "Grupos de la sociedad civil de todo el mundo instan a las Naciones Unidas a establecer un mecanismo independiente sobre las violaciones de los derechos humanos en China",
        "summary": "Organizaciones de todas las regiones piden al Consejo de Derechos Humanos de las Naciones Unidas que convoque un período extraordinario de sesiones y cree un mecanismo internacional independiente que vigile las violaciones de los derechos humanos cometidas por el Gobierno chino e informe al respecto.",
        "body": """\
Excelencias:

Las organizaciones de la sociedad civil abajo firmantes, procedentes de todas las regiones del
mundo, nos dirigimos a ustedes para instarles a que actúen sin más demora ante las graves
violaciones de los derechos humanos cometidas por el Gobierno de la República Popular China.

Desde hace años, expertos, órganos creados en virtud de tratados y procedimientos especiales de
las Naciones Unidas vienen expresando su alarma por:

- la detención arbitraria de **más de un millón** de uigures y otros musulmanes túrquicos en la
  Región Autónoma Uigur de Xinjiang, así como la vigilancia, el trabajo forzoso y la separación
  familiar que la acompañan;
- la represión de la libertad de religión, de expresión y de circulación de los tibetanos;
- el desmantelamiento de las libertades fundamentales en Hong Kong en virtud de la Ley de
  Seguridad Nacional;
- la persecución de defensores de los derechos humanos, abogados, periodistas y sus familias en
  todo el país, y las represalias contra quienes colaboran con las Naciones Unidas.

El Gobierno chino ha rechazado estas preocupaciones y se ha negado a conceder un acceso sin
restricciones al Alto Comisionado de las Naciones Unidas para los Derechos Humanos y a expertos
independientes. Las declaraciones por sí solas no han cambiado su conducta.

## Nuestras peticiones

1. Que el Consejo de Derechos Humanos convoque un **período extraordinario de sesiones** para
   evaluar el alcance de las violaciones de los derechos humanos cometidas por el Gobierno chino.
2. Que el Consejo cree un **mecanismo internacional independiente**, como un relator especial, un
   grupo de expertos o una comisión de investigación, que vigile y analice la situación e informe
   anualmente al respecto.
3. Que los Estados Miembros de las Naciones Unidas adopten medidas oportunas y decididas, también
   en la Asamblea General, para garantizar la rendición de cuentas y poner fin a estas
   violaciones.

Ningún Estado debería quedar al margen del escrutinio del Consejo. La credibilidad del sistema de
derechos humanos de las Naciones Unidas depende de que se apliquen las mismas normas a los
poderosos que a los débiles.

Atentamente,

*Las organizaciones firmantes*
""",
    },
}
