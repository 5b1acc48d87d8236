"""The equipment desk of the demo's production centre (``load_demo``, through the
``load_demo_content`` hook).

The organization whose settings say it is a film production centre gets its catalogue: about
forty items (cameras, lenses, lights, sound, grip, monitors, batteries, two editing rooms and
a studio) with their units, photos drawn here, rates for non-members and members, deposits,
two kits, two trainings and the members who hold them, the desk's closures (the holidays),
which membership pays which rates, accounts for a few members, and bookings dated from the
day the demo is loaded: returned, one returned damaged (its unit now in repair), one checked
out, one late, coming ones confirmed and requested (one online), and one cancelled.

Everything with a rule goes through ``rentals.services`` (``request_booking``,
``change_status``), as the desk's screens would: the demo cannot hold a booking the rules
refuse. The borrowers are the CRM demo's members (``fixtures/demo/…/people.json``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.images import get_image_model

from crm_blocks.models import Contact, MemberAccount, MembershipType, PersonPage
from organizations.models import OrganizationGroup, OrganizationKind, OrganizationSettings
from organizations.registry import OrganizationRole
from organizations.services import organization_collection

from .models import (
    BookingStatus,
    Closure,
    Condition,
    EquipmentIndexPage,
    EquipmentPage,
    EquipmentPhoto,
    EquipmentUnit,
    KitComponent,
    MembershipRate,
    Qualification,
    RateColumn,
    RentalSettings,
    Training,
    UnitCondition,
    UnitStatus,
)
from .services import availability_changed, change_status, closed_days, request_booking

#: The password of the demo's member accounts, the same as its staff accounts' (printed in
#: the log). Never use it outside a demo.
MEMBER_PASSWORD = "demo-mot-de-passe"  # noqa: S105 - demo only, printed on purpose
#: The CRM demo's members (page slugs) who get an account, and the trainings they hold.
MEMBERS = ("sophie-lavoie", "camille-roy", "lea-fortin", "alexandre-poirier")
#: A production company of the CRM demo that rents at commercial rates.
COMPANY = "films-du-lac-osisko"

CAMERA_TRAINING = "Formation caméra cinéma"
EDITING_TRAINING = "Formation salle de montage"

# (code, title, category, brand, model, units, (daily, weekend, weekly), member rates,
#  deposit, training, summary, what is included)
# fmt: off
ITEMS = [
    ("CAM-FX6", "Caméra Sony FX6", "camera", "Sony", "ILME-FX6V", 3, (150, 225, 600),
     (90, 135, 360), 1000, CAMERA_TRAINING,
     "Caméra plein format 4K, double ISO natif, filtre ND variable intégré.",
     "2 batteries BP-U70\nChargeur double\nPoignée et écran LCD\nValise rigide"),
    ("CAM-C70", "Caméra Canon EOS C70", "camera", "Canon", "EOS C70", 2, (120, 180, 480),
     (70, 105, 280), 800, CAMERA_TRAINING,
     "Caméra Super 35 compacte, 4K 120 i/s, monture RF.",
     "2 batteries BP-A30\nChargeur\nPoignée supérieure"),
    ("CAM-BMP", "Caméra Blackmagic Pocket 6K Pro", "camera", "Blackmagic Design",
     "Pocket Cinema Camera 6K Pro", 2, (80, 120, 320), (45, 68, 180), 500, None,
     "Caméra Super 35 6K, Blackmagic RAW, écran orientable.",
     "3 batteries NP-F570\nCage SmallRig\nDisque SSD 1 To"),
    ("CAM-A7S", "Caméra Sony A7S III", "camera", "Sony", "ILCE-7SM3", 2, (70, 105, 280),
     (40, 60, 160), 400, None,
     "Hybride plein format, excellente en basse lumière.",
     "3 batteries NP-FZ100\nChargeur\n2 cartes CFexpress A"),
    ("CAM-KOM", "Caméra RED Komodo 6K", "camera", "RED", "Komodo 6K", 1, (250, 375, 1000),
     (150, 225, 600), 2000, CAMERA_TRAINING,
     "Caméra cinéma 6K à obturateur global, monture RF.",
     "4 batteries BP-955\nÉcran 7 po\nCartes CFast 512 Go"),
    ("OBJ-2470", "Objectif Canon EF 24-70 mm f/2,8L II", "lens", "Canon",
     "EF 24-70mm f/2.8L II USM", 2, (35, 50, 140), (20, 30, 80), 200, None,
     "Le zoom standard lumineux, monture EF.", "Pare-soleil\nBouchons"),
    ("OBJ-1835", "Objectif Sigma 18-35 mm f/1,8 Art", "lens", "Sigma",
     "18-35mm F1.8 DC HSM Art", 2, (25, 40, 100), (15, 22.5, 60), 150, None,
     "Zoom très lumineux pour capteurs Super 35.", "Pare-soleil\nBouchons"),
    ("OBJ-70200", "Objectif Canon EF 70-200 mm f/2,8L IS III", "lens", "Canon",
     "EF 70-200mm f/2.8L IS III USM", 1, (40, 60, 160), (24, 36, 96), 250, None,
     "Téléobjectif stabilisé pour l'entrevue et le documentaire.", "Collier de trépied"),
    ("OBJ-XEEN", "Série d'objectifs Samyang Xeen CF", "lens", "Samyang", "Xeen CF 24/35/50/85",
     1, (90, 135, 360), (55, 80, 215), 600, None,
     "Quatre focales fixes cinéma en fibre de carbone, monture PL.",
     "24 mm, 35 mm, 50 mm et 85 mm T1.5\nValise"),
    ("OBJ-1635", "Objectif Sony FE 16-35 mm f/4 G PZ", "lens", "Sony", "SELP1635G", 1,
     (30, 45, 120), (18, 27, 72), 150, None, "Grand-angle à zoom motorisé, monture E.", ""),
    ("OBJ-S2470", "Objectif Sigma 24-70 mm f/2,8 DG DN Art", "lens", "Sigma",
     "24-70mm F2.8 DG DN Art (E)", 1, (30, 45, 120), (18, 27, 72), 150, None,
     "Zoom standard lumineux, monture E.", ""),
    ("ADA-MB", "Adaptateur Metabones EF–E Speed Booster", "lens", "Metabones",
     "Speed Booster Ultra 0.71x", 2, (10, 15, 40), (5, 7.5, 20), 50, None,
     "Monte les objectifs EF sur les caméras Sony, un diaphragme plus lumineux.", ""),
    ("FIL-ND", "Filtres ND variables 82 mm", "lens", "PolarPro", "Peter McKinnon VND 2-5",
     2, (8, 12, 32), (4, 6, 16), None, None, "Deux filtres ND variables et leurs bagues.",
     "Bagues 77 et 72 mm"),
    ("LED-300", "Projecteur LED Aputure LS 300d II", "lighting", "Aputure", "LS 300d II", 2,
     (45, 65, 180), (25, 37.5, 100), 200, None,
     "Projecteur lumière du jour 300 W, monture Bowens.", "Réflecteur\nBallast\nSac"),
    ("LED-600", "Projecteur LED Aputure LS 600x Pro", "lighting", "Aputure", "LS 600x Pro",
     1, (75, 110, 300), (45, 68, 180), 300, None,
     "Projecteur bicolore 600 W, monture Bowens.", "Réflecteur\nBallast\nValise"),
    ("PAN-AS", "Panneau LED Litepanels Astra 3X", "lighting", "Litepanels",
     "Astra 3X Bi-Color", 2, (40, 60, 160), (22, 33, 88), 200, None,
     "Panneau 1×1 bicolore, doux et léger.", "Bloc d'alimentation\nVolets"),
    ("TUB-AST", "Tubes LED Astera Titan (ensemble de 4)", "lighting", "Astera",
     "Titan Tube FP1", 1, (80, 120, 320), (45, 68, 180), 300, None,
     "Quatre tubes couleur sur batterie, pilotés par application.", "Valise de recharge"),
    ("PAN-NOV", "Panneau souple Aputure Nova P300c", "lighting", "Aputure", "Nova P300c", 1,
     (55, 80, 220), (30, 45, 120), 250, None, "Panneau couleur RGBWW à grande surface.",
     "Diffuseur\nVolets"),
    ("FRE-650", "Fresnel Arri 650 W", "lighting", "Arri", "650 Plus", 2, (20, 30, 80),
     (10, 15, 40), 100, None, "Le classique tungstène, avec coupe-flux.", "Coupe-flux\nGélatines"),
    ("REF-5", "Réflecteur 5-en-1 107 cm", "lighting", "Westcott", "5-in-1 42 po", 3,
     (5, 8, 20), (0, 0, 0), None, None, "Réflecteur pliant or, argent, blanc, noir, diffuseur.",
     ""),
    ("SOF-DOME", "Softbox Aputure Light Dome II", "lighting", "Aputure", "Light Dome II", 2,
     (12, 18, 48), (6, 9, 24), 50, None, "Boîte à lumière parabolique de 90 cm, nid d'abeille.",
     "Grille\n2 diffuseurs"),
    ("ENR-F6", "Enregistreur Zoom F6", "sound", "Zoom", "F6", 3, (30, 45, 120), (15, 22.5, 60),
     100, None, "Enregistreur 6 pistes 32 bits flottants.", "Alimentation\nCarte SD 64 Go"),
    ("ENR-MIX", "Enregistreur Sound Devices MixPre-6 II", "sound", "Sound Devices",
     "MixPre-6 II", 1, (40, 60, 160), (22, 33, 88), 150, None,
     "Enregistreur-mélangeur 8 pistes, préamplis Kashmir.", "Sac\nAlimentation"),
    ("MIC-416", "Micro canon Sennheiser MKH 416", "sound", "Sennheiser", "MKH 416-P48U3", 3,
     (20, 30, 80), (10, 15, 40), 100, None, "Le micro canon de référence du tournage.",
     "Suspension\nBonnette\nPoils"),
    ("MIC-HF", "Micro-cravate sans fil Sennheiser EW 112P G4", "sound", "Sennheiser",
     "EW 112P G4", 3, (20, 30, 80), (10, 15, 40), 100, None,
     "Émetteur, récepteur et micro-cravate.", "Piles rechargeables"),
    ("MIC-COS", "Micro-cravate Sanken COS-11D", "sound", "Sanken", "COS-11D", 2, (15, 22, 60),
     (8, 12, 32), 75, None, "Micro-cravate omnidirectionnel discret.", "Pinces\nBonnettes"),
    ("PER", "Perche Rode Boompole Pro", "sound", "Rode", "Boompole Pro", 2, (8, 12, 32),
     (4, 6, 16), None, None, "Perche télescopique de 3 m.", ""),
    ("CAS", "Casque Sony MDR-7506", "sound", "Sony", "MDR-7506", 4, (4, 6, 16), (0, 0, 0), None,
     None, "Casque fermé de contrôle.", ""),
    ("TRP-75", "Trépied Sachtler Flowtech 75", "grip", "Sachtler", "Flowtech 75 + FSB 6", 4,
     (30, 45, 120), (15, 22.5, 60), 150, None,
     "Trépied fibre de carbone et tête fluide.", "Épandeur\nSac"),
    ("STA-C", "Pied C-stand Avenger 40 po", "grip", "Avenger", "A2040D", 4, (8, 12, 32),
     (4, 6, 16), None, None, "Pied à rotule et bras de déport.", "Bras\nRotule"),
    ("STB-RS3", "Stabilisateur DJI RS 3 Pro", "grip", "DJI", "RS 3 Pro", 1, (45, 65, 180),
     (25, 37.5, 100), 300, None, "Stabilisateur trois axes pour caméras jusqu'à 4,5 kg.",
     "Poignée\nValise"),
    ("GLI-EDK", "Glissière Edelkrone SliderPLUS", "grip", "Edelkrone", "SliderPLUS Pro", 1,
     (25, 40, 100), (15, 22.5, 60), 150, None, "Glissière compacte à course doublée.", ""),
    ("DOL-DANA", "Travelling Dana Dolly", "grip", "Dana Dolly", "Original", 1, (60, 90, 240),
     (35, 52.5, 140), 300, None, "Chariot sur rails pour travellings de 2,4 m.",
     "Rails\nPorte-rails"),
    ("MON-702", "Moniteur SmallHD 702 Touch", "monitoring", "SmallHD", "702 Touch", 2,
     (25, 40, 100), (15, 22.5, 60), 150, None, "Moniteur de 7 po tactile, 1 000 nits.",
     "Pare-soleil\nBatterie"),
    ("MON-NIN", "Moniteur-enregistreur Atomos Ninja V", "monitoring", "Atomos", "Ninja V", 2,
     (25, 40, 100), (15, 22.5, 60), 150, None, "Moniteur 5 po qui enregistre en ProRes RAW.",
     "SSD 1 To\nBatterie"),
    ("BAT-VM", "Batterie V-Mount 150 Wh", "power", "Core SWX", "Hypercore NEO 150", 6,
     (6, 9, 24), (0, 0, 0), None, None, "Batterie V-Mount autorisée en cabine.", ""),
    ("CHG-VM", "Chargeur quadruple V-Mount", "power", "Core SWX", "Fleet Q", 2, (8, 12, 32),
     (4, 6, 16), None, None, "Recharge quatre batteries V-Mount à la fois.", ""),
    ("SAL-A", "Salle de montage A (DaVinci Resolve)", "editing", "Apple",
     "Mac Studio + DaVinci Resolve Studio", 1, (60, 90, 250), (35, 52.5, 140), None,
     EDITING_TRAINING, "Poste d'étalonnage et de montage, écran de référence.",
     "Écran de référence\nPanneau d'étalonnage\nCasque"),
    ("SAL-B", "Salle de montage B (Avid Media Composer)", "editing", "Avid",
     "Media Composer", 1, (50, 75, 200), (30, 45, 120), None, EDITING_TRAINING,
     "Poste de montage Avid avec stockage partagé.", "Deux écrans\nEnceintes"),
    ("STU", "Studio de tournage (fond vert)", "room", "", "", 1, (300, 450, None),
     (180, 270, None), None, None, "Studio de 60 m², fond vert, grille d'éclairage.",
     "Fond vert\nGrille d'éclairage\nLoge"),
]
# (title, components (item code, quantity), rates, member rates, deposit, summary)
KITS = [
    ("Kit documentaire",
     [("CAM-FX6", 1), ("OBJ-1835", 1), ("TRP-75", 1), ("ENR-F6", 1), ("MIC-416", 1),
      ("BAT-VM", 2)],
     (225, 340, 900), (135, 200, 540), 1200,
     "Tout pour tourner un documentaire : caméra, optique, trépied et son."),
    ("Kit éclairage entrevue",
     [("LED-300", 2), ("STA-C", 2), ("SOF-DOME", 2), ("REF-5", 1)],
     (90, 135, 360), (55, 80, 215), 300,
     "Deux projecteurs et leurs boîtes à lumière, pour une entrevue soignée."),
]
# fmt: on
#: How the demo's French pages name each category (its photos' descriptions).
CATEGORY_LABELS = {
    "camera": "Caméra",
    "lens": "Objectif",
    "lighting": "Éclairage",
    "sound": "Son",
    "grip": "Machinerie",
    "monitoring": "Moniteur",
    "power": "Batteries",
    "editing": "Salle de montage",
    "room": "Studio",
    "kit": "Kit",
}

#: The size of the drawn photos, and the colours of each category's (background, accent).
PICTURE_SIZE = (600, 400)
CATEGORY_COLOURS = {
    "camera": ("#24313d", "#e0a458"),
    "lens": ("#2f2a3a", "#9fb7e8"),
    "lighting": ("#3a3122", "#f5d76e"),
    "sound": ("#1f3a34", "#8fd6b9"),
    "grip": ("#3a2a2a", "#e39a8b"),
    "monitoring": ("#22303a", "#7ec8e3"),
    "power": ("#2b3322", "#b9e36e"),
    "editing": ("#302238", "#d8a1e8"),
    "room": ("#2a2f36", "#c9d1da"),
    "kit": ("#3b2f24", "#f0b27a"),
}


def is_production_centre(site) -> bool:
    return OrganizationSettings.for_site(site).kind == OrganizationKind.PRODUCTION_CENTRE


def load_demo_rentals(*, site, today: dt.date | None = None, log=None) -> int:
    """The equipment desk of ``site`` if it is a film production centre (once: a catalogue
    that already has items is left as it is); returns how many items it created."""
    today = today or timezone.localdate()
    log = log or (lambda message: None)
    catalogue = (
        EquipmentIndexPage.objects.filter(path__startswith=site.root_page.path)
        .order_by("path")
        .first()
    )
    if (
        catalogue is None
        or not is_production_centre(site)
        or EquipmentPage.objects.child_of(catalogue).exists()
    ):
        return 0
    loader = _Loader(site, catalogue, today, log)
    loader.load()
    return loader.count


def demo_member_logins(site, contacts: list[Contact], log) -> list:
    """Member accounts for the demo's members (``crm_blocks.MemberAccount``): a login named
    after the record's e-mail, as ``invite_member`` names it, in the organization's members
    group, with the demo's password (printed) instead of an e-mailed link; each tied to its
    person's record, so that the member space shows the member's own bookings."""
    User = get_user_model()
    group = OrganizationGroup.objects.select_related("group").get(
        site=site, role=OrganizationRole.MEMBERS
    )
    users = []
    for contact in contacts:
        username = contact.email.lower()
        name = str(contact).split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": contact.email,
                "first_name": name[0],
                "last_name": name[-1] if len(name) > 1 else "",
            },
        )
        if created:
            user.set_password(MEMBER_PASSWORD)
            user.save(update_fields=["password"])
            log(f"  Member login “{username}” / {MEMBER_PASSWORD} ({contact}, {site.site_name}).")
        user.groups.add(group.group)
        if not MemberAccount.objects.filter(contact=contact).exists():
            account = MemberAccount(user=user, contact=contact, site=site)
            account.full_clean()
            account.save()
        users.append(user)
    return users


class _Loader:
    def __init__(self, site, catalogue, today: dt.date, log):
        self.site = site
        self.catalogue = catalogue
        self.today = today
        self.log = log
        self.count = 0
        self.pages: dict[str, EquipmentPage] = {}
        self.closed: set[dt.date] = set()
        self.collection = organization_collection(site)
        self.pictures: dict[str, object] = {}

    def load(self) -> None:
        self.settings()
        trainings = self.trainings()
        self.items(trainings)
        self.kits()
        self.closures()
        members = self.members(trainings)
        users = demo_member_logins(self.site, list(members.values()), self.log)
        self.bookings(members, dict(zip(members, users, strict=True)))
        units = EquipmentUnit.objects.filter(site=self.site).count()
        self.log(
            f"  {self.count} items ({units} units) in the equipment catalogue of "
            f"“{self.site.site_name}”, with its bookings."
        )

    # The desk ------------------------------------------------------------------------------

    def settings(self) -> None:
        desk = RentalSettings.for_site(self.site)
        desk.buffer_hours = 12
        desk.pickup_time = dt.time(10, 0)
        desk.return_time = dt.time(10, 0)
        desk.notification_email = "pret@imagesboreales.example.org"
        desk.save()
        for membership_type in MembershipType.objects.filter(site=self.site):
            MembershipRate.objects.get_or_create(
                membership_type=membership_type, defaults={"column": RateColumn.MEMBER}
            )

    def trainings(self) -> dict[str, Training]:
        specs = [
            (
                CAMERA_TRAINING,
                "Trois heures avec un technicien du centre : réglages, formats, soins de la "
                "caméra et des batteries. Requise pour les caméras cinéma.",
                24,
            ),
            (
                EDITING_TRAINING,
                "Une séance d'accueil dans les salles de montage : stockage, sauvegardes, "
                "étalonnage sur l'écran de référence.",
                0,
            ),
        ]
        trainings = {}
        for name, description, months in specs:
            training = Training(
                site=self.site, name=name, description=description, validity_months=months
            )
            training.full_clean()
            training.save()
            trainings[name] = training
        return trainings

    def closures(self) -> None:
        """The holidays now or coming, the Fête nationale, and two days of inventory."""
        today = self.today
        holidays_start = dt.date(today.year - (today < dt.date(today.year, 1, 3)), 12, 24)
        june = dt.date(today.year, 6, 24)
        if june < today:
            june = dt.date(today.year + 1, 6, 24)
        inventory = today + dt.timedelta(days=45)
        for start, end, reason in [
            (holidays_start, holidays_start + dt.timedelta(days=9), "Congé des Fêtes"),
            (june, june, "Fête nationale du Québec"),
            (inventory, inventory + dt.timedelta(days=1), "Inventaire annuel"),
        ]:
            closure = Closure(site=self.site, start_date=start, end_date=end, reason=reason)
            closure.full_clean()
            closure.save()
        self.closed = closed_days(
            self.site, today - dt.timedelta(days=90), today + dt.timedelta(days=400)
        )

    # The catalogue -------------------------------------------------------------------------

    def picture(self, category: str, label: str):
        """One drawn photo per category, stored in the organization's collection; the editing
        rooms get the demo's own photo of its editing room, when it has one."""
        if category in self.pictures or self.collection is None:
            return self.pictures.get(category)
        if category == "editing":
            found = (
                get_image_model()
                .objects.filter(collection=self.collection, file__contains="salle-montage")
                .first()
            )
            if found is not None:
                self.pictures[category] = found
                return found
        image = get_image_model()(
            title=f"Équipement — {label}",
            description=f"Pictogramme : {label.lower()}",
            collection=self.collection,
        )
        image.file.save(
            f"demo-equipement-{category}.png",
            ContentFile(draw_equipment(category, CATEGORY_COLOURS[category])),
            save=False,
        )
        image._set_image_file_metadata()
        image.file.close()
        image.width, image.height = PICTURE_SIZE
        image.full_clean()
        image.save()
        self.pictures[category] = image
        return image

    def add_page(self, page: EquipmentPage, category_label: str) -> EquipmentPage:
        picture = self.picture(page.category, category_label)
        if picture is not None:
            page.photos = [
                EquipmentPhoto(
                    image=picture,
                    alt_text=f"{category_label} : {page.title}",
                    credit=f"Illustration : {self.site.site_name}",
                )
            ]
        self.catalogue.add_child(instance=page)
        page.save_revision().publish()
        self.count += 1
        return page

    def items(self, trainings) -> None:
        for number, spec in enumerate(ITEMS):
            (code, title, category, brand, model, count, rates, member_rates, deposit,
             training, summary, included) = spec  # fmt: skip
            page = EquipmentPage(
                title=title,
                category=category,
                brand=brand,
                product_model=model,
                summary=summary,
                included=included,
                deposit=_money(deposit),
                required_training=trainings.get(training),
                online_requests=category not in ("room",),
                specifications=[
                    ("specification", {"label": "Marque", "value": brand or "—"}),
                    ("specification", {"label": "Modèle", "value": model or "—"}),
                ],
                **_rates("", rates),
                **_rates("member_", member_rates),
            )
            self.add_page(page, CATEGORY_LABELS[category])
            self.pages[code] = page
            twin = page.get_private_twin()
            for index in range(1, count + 1):
                bought = self.today - dt.timedelta(days=200 + 97 * ((number + index) % 12))
                EquipmentUnit.objects.create(
                    site=self.site,
                    equipment=twin,
                    inventory_number=f"{code}-{index:02d}",
                    serial_number=f"SN{number + 1:02d}{index:03d}-{2019 + (number % 6)}",
                    purchase_date=bought,
                    purchase_price=_money(rates[0] * 40 if rates[0] else None),
                    condition=(UnitCondition.NEW, UnitCondition.GOOD, UnitCondition.FAIR)[
                        (number + index) % 3
                    ],
                    location="Local d'équipement, étagère " + "ABCDEFG"[number % 7],
                )

    def kits(self) -> None:
        for title, parts, rates, member_rates, deposit, summary in KITS:
            kit = EquipmentPage(
                title=title,
                category="kit",
                summary=summary,
                deposit=_money(deposit),
                included="\n".join(f"{q} × {self.pages[code].title}" for code, q in parts),
                **_rates("", rates),
                **_rates("member_", member_rates),
            )
            kit.kit_components = [
                KitComponent(item=self.pages[code], quantity=quantity) for code, quantity in parts
            ]
            self.pages[title] = self.add_page(kit, "Kit")

    # People --------------------------------------------------------------------------------

    def members(self, trainings) -> dict[str, Contact]:
        """The CRM demo's members who borrow, with the trainings they hold."""
        pages = PersonPage.objects.descendant_of(self.site.root_page).filter(slug__in=MEMBERS)
        keys = {page.slug: page.translation_key for page in pages}
        contacts = {
            contact.translation_key: contact
            for contact in Contact.objects.filter(site=self.site, translation_key__in=keys.values())
        }
        members = {
            slug: contacts[keys[slug]]
            for slug in MEMBERS
            if slug in keys and contacts[keys[slug]].email
        }
        held = {
            "sophie-lavoie": [(CAMERA_TRAINING, 300), (EDITING_TRAINING, 500)],
            "camille-roy": [(EDITING_TRAINING, 120)],
            "lea-fortin": [(CAMERA_TRAINING, 60)],
        }
        for slug, names in held.items():
            for name, days_ago in names:
                if slug not in members:
                    continue
                qualification = Qualification(
                    contact=members[slug],
                    training=trainings[name],
                    obtained_on=self.today - dt.timedelta(days=days_ago),
                    note="Séance donnée par l'équipe technique du centre.",
                )
                qualification.full_clean()
                qualification.save()
        return members

    # Bookings ------------------------------------------------------------------------------

    def open_day(self, day: dt.date, *, earlier: bool = False) -> dt.date:
        """``day``, or the nearest day the desk is open after it (before it, ``earlier``)."""
        step = dt.timedelta(days=-1 if earlier else 1)
        while day in self.closed:
            day += step
        return day

    def period(self, start: int, days: int) -> tuple[dt.date, dt.date]:
        """Open days ``start`` days from today and ``days`` later, on the same side of today
        as asked (a closure moves a past day earlier, a coming one later): what is late stays
        late, what is out stays out, whenever the demo is loaded."""
        pickup = self.today + dt.timedelta(days=start)
        back = pickup + dt.timedelta(days=days)
        pickup = self.open_day(pickup, earlier=pickup < self.today)
        back = self.open_day(back, earlier=back < self.today)
        if back <= pickup:
            back = self.open_day(pickup + dt.timedelta(days=1))
        return pickup, back

    def book(self, borrower, codes, start, days, *, status, user=None, **kwargs):
        """A booking through the desk's rules, then each step of its status, dated as if the
        desk had done it then."""
        pickup, back = self.period(start, days)
        booking = request_booking(
            self.site,
            borrower,
            [(self.pages[code], quantity) for code, quantity in codes],
            pickup,
            back,
            user=user,
            **kwargs,
        )
        booking.notify_borrower = False  # demo data: nobody is written to
        steps = {
            BookingStatus.REQUESTED: [],
            BookingStatus.CONFIRMED: [BookingStatus.CONFIRMED],
            BookingStatus.CHECKED_OUT: [BookingStatus.CONFIRMED, BookingStatus.CHECKED_OUT],
            BookingStatus.RETURNED: [
                BookingStatus.CONFIRMED,
                BookingStatus.CHECKED_OUT,
                BookingStatus.RETURNED,
            ],
            BookingStatus.CANCELLED: [BookingStatus.CANCELLED],
        }[status]
        if BookingStatus.CHECKED_OUT in steps:
            booking.checked_out_at = booking.pickup_at
            booking.lines.update(condition_out=Condition.OK, checked_out_at=booking.pickup_at)
        if BookingStatus.RETURNED in steps:
            booking.returned_at = booking.return_at
            booking.lines.update(condition_in=Condition.OK, returned_at=booking.return_at)
        for step in steps:
            change_status(booking, step)
        return booking

    def bookings(self, members: dict[str, Contact], users: dict) -> None:
        sophie, camille = members.get("sophie-lavoie"), members.get("camille-roy")
        lea, alexandre = members.get("lea-fortin"), members.get("alexandre-poirier")
        if None in (sophie, camille, lea, alexandre):
            self.log("  The CRM demo's members are missing: the desk has no bookings.")
            return
        company_pages = self.site.root_page.get_descendants().filter(slug=COMPANY)
        company = Contact.objects.filter(
            site=self.site, translation_key__in=company_pages.values("translation_key")
        ).first()
        returned = BookingStatus.RETURNED
        self.book(
            sophie,
            [("CAM-FX6", 1), ("OBJ-1835", 1), ("TRP-75", 1)],
            -40,
            4,
            status=returned,
            production_title="Les eaux du lac",
        )
        noted = self.book(
            alexandre,
            [("ENR-F6", 1), ("MIC-416", 1), ("PER", 1)],
            -20,
            3,
            status=returned,
            production_title="Court métrage de fin d'études",
        )
        noted.lines.filter(unit__inventory_number__startswith="MIC-416").update(
            condition_in=Condition.NOTE, condition_in_note="Bonnette anti-vent manquante."
        )
        damaged = self.book(
            camille,
            [("PAN-AS", 1), ("STA-C", 1)],
            -12,
            3,
            status=returned,
            production_title="Portraits d'artistes",
        )
        line = damaged.lines.get(unit__inventory_number__startswith="PAN-AS")
        line.condition_in = Condition.DAMAGED
        line.condition_in_note = "Coin du panneau fissuré, diffuseur rayé : envoyé en réparation."
        line.save(update_fields=["condition_in", "condition_in_note"])
        EquipmentUnit.objects.filter(pk=line.unit_id).update(
            status=UnitStatus.REPAIR, notes="Réparation demandée au fournisseur."
        )
        availability_changed(self.site)
        self.book(
            lea,
            [("CAM-C70", 1), ("MON-702", 1)],
            -6,
            4,
            status=BookingStatus.CHECKED_OUT,
            production_title="Clip « Aurores »",
        )
        self.book(
            sophie,
            [("Kit documentaire", 1)],
            -1,
            4,
            status=BookingStatus.CHECKED_OUT,
            production_title="Les eaux du lac — tournage d'hiver",
        )
        self.book(
            camille,
            [("SAL-A", 1)],
            5,
            2,
            status=BookingStatus.CONFIRMED,
            production_title="Portraits d'artistes",
        )
        if company is not None:
            self.book(
                company,
                [("Kit éclairage entrevue", 1), ("LED-600", 1)],
                10,
                3,
                status=BookingStatus.CONFIRMED,
                commercial=True,
                production_title="Publicité « Hiver boréal »",
            )
        self.book(
            camille,
            [("OBJ-2470", 1)],
            15,
            2,
            status=BookingStatus.REQUESTED,
            online=True,
            user=users.get("camille-roy"),
            notes="Pour des portraits en studio.",
        )
        self.book(
            lea,
            [("CAM-FX6", 1), ("STB-RS3", 1)],
            20,
            3,
            status=BookingStatus.REQUESTED,
            production_title="Clip « Aurores »",
        )
        self.book(
            alexandre,
            [("MIC-HF", 2)],
            -30,
            2,
            status=BookingStatus.CANCELLED,
            notes="Tournage reporté.",
        )


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _rates(prefix: str, rates) -> dict:
    daily, weekend, weekly = rates
    return {
        f"{prefix}daily_rate": _money(daily),
        f"{prefix}weekend_rate": _money(weekend),
        f"{prefix}weekly_rate": _money(weekly),
    }


def draw_equipment(category: str, colours: tuple[str, str]) -> bytes:
    """A simple picture of a category of equipment (600×400 PNG, drawn with Pillow: no
    download, the same bytes every time)."""
    from PIL import Image, ImageDraw

    background, accent = colours
    picture = Image.new("RGB", PICTURE_SIZE, background)
    draw = ImageDraw.Draw(picture)
    line = {"fill": accent, "width": 10}
    if category == "camera":
        draw.rounded_rectangle([150, 140, 390, 290], radius=18, outline=accent, width=10)
        draw.ellipse([390, 165, 490, 265], outline=accent, width=10)
        draw.rectangle([190, 105, 270, 140], outline=accent, width=8)
    elif category == "lens":
        for inset in (0, 35, 70):
            draw.ellipse(
                [180 + inset, 80 + inset, 420 - inset, 320 - inset], outline=accent, width=9
            )
    elif category == "lighting":
        draw.rectangle([200, 110, 400, 250], outline=accent, width=10)
        draw.line([300, 250, 300, 340], **line)
        for x in (230, 300, 370):
            draw.line([x, 95, x, 40], **line)
    elif category == "sound":
        draw.rounded_rectangle([260, 60, 340, 230], radius=40, outline=accent, width=10)
        draw.arc([220, 150, 380, 290], 0, 180, **line)
        draw.line([300, 290, 300, 350], **line)
    elif category == "grip":
        draw.rectangle([250, 70, 350, 120], outline=accent, width=10)
        for foot in (160, 300, 440):
            draw.line([300, 120, foot, 350], **line)
    elif category == "monitoring":
        draw.rectangle([140, 90, 460, 290], outline=accent, width=10)
        draw.line([300, 290, 300, 340], **line)
    elif category == "power":
        draw.rectangle([190, 120, 410, 300], outline=accent, width=10)
        draw.polygon(
            [(315, 140), (260, 220), (300, 220), (285, 285), (345, 195), (305, 195)], fill=accent
        )
    elif category in ("editing", "room"):
        draw.rectangle([110, 80, 490, 280], outline=accent, width=10)
        draw.rectangle([170, 300, 430, 330], outline=accent, width=8)
    else:
        draw.rounded_rectangle([140, 130, 460, 320], radius=20, outline=accent, width=10)
        draw.rectangle([250, 90, 350, 130], outline=accent, width=8)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
