"""Write the labelled comment samples (``comments_en.csv``, ``comments_es.csv``): 201 comments per language,
67 positive, 67 neutral and 67 negative, each a customer's remark followed by a plain detail of the kind people
add (what was bought, when). Run it again after editing the lists; the CSV files are what the tests read.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
PER_CLASS = 67

REMARKS = {
    "en": {
        "positive": [
            "The technician was friendly and fixed the leak in twenty minutes.",
            "Great service, the fridge arrived on time and the driver was very polite.",
            "Very happy with the washing machine, it is quiet and works perfectly.",
            "Excellent installation, they left everything clean and explained how it works.",
            "Fast answer to my question and a helpful agent, thank you!",
            "I would definitely recommend you to my friends.",
            "The repair was quick and the price was fair.",
            "Lovely people on the phone, they solved my problem the same day.",
            "Perfect delivery, the box was in perfect condition.",
            "Best after-sales service I have had, really professional.",
            "The new dishwasher is brilliant and very easy to use.",
            "Punctual, courteous and tidy. Nothing to complain about.",
            "Thanks to Carmen for her patience, she was wonderful.",
            "Everything went smoothly from order to installation.",
            "Good value for money and a reliable product.",
            "The engineer was knowledgeable and kind.",
            "Impressed with how quickly you replied to my email.",
            "Really pleased, the oven works great.",
            "Superb support, I will buy from you again.",
            "The visit was prompt and the problem is fixed. Great job.",
            "Friendly staff and a smooth process.",
            "Very satisfied with the whole experience.",
            "The warranty claim was handled quickly and fairly, thanks.",
        ],
        "neutral": [
            "The washing machine was delivered on Tuesday.",
            "I bought the fridge in the Madrid store.",
            "The technician came in the afternoon.",
            "I called twice to book the installation.",
            "The order number is on the receipt.",
            "We use the dryer about three times a week.",
            "The product is the 8 kg model.",
            "I have not used the oven yet.",
            "The invoice was sent by email.",
            "My husband was at home for the delivery.",
            "The installation took about an hour.",
            "I asked about the extended warranty.",
            "The unit is in the kitchen of our second home.",
            "The delivery was on the second floor with a lift.",
            "I paid by card in the shop.",
            "The visit was on Monday morning.",
            "It is the second machine we buy from this brand.",
            "The agent gave me a ticket number.",
            "We moved house last month.",
            "The old appliance was taken away.",
            "The manual is in English and Spanish.",
            "I sent a photo of the serial number.",
            "The part was ordered last week.",
        ],
        "negative": [
            "The technician was rude and left without finishing the job.",
            "Terrible service, I waited three weeks for a simple repair.",
            "The fridge arrived scratched and nobody answered my emails.",
            "Very disappointed, the machine broke after two months.",
            "The delivery was late and the driver refused to carry it upstairs.",
            "Awful experience, I had to call five times.",
            "The installer damaged the floor and did not apologise.",
            "Too expensive for such a poor repair.",
            "Nobody told me the visit was cancelled, I wasted a day off work.",
            "The dishwasher still leaks after the repair.",
            "I will never buy from you again.",
            "The agent was unhelpful and hung up on me.",
            "The oven is faulty and the replacement is delayed again.",
            "Horrible customer service, slow and careless.",
            "The washing machine is very noisy and vibrates badly.",
            "They charged me for a repair that should be under warranty.",
            "Still waiting for the spare part, this is unacceptable.",
            "The box was dented and the door was broken.",
            "Poor communication, I never know what is happening.",
            "The technician came late and did not bring the part.",
            "Worst purchase I have made, a complete waste of money.",
            "The refund took months and I had to complain.",
            "Useless support, my problem is not solved.",
        ],
    },
    "es": {
        "positive": [
            "El técnico fue muy amable y arregló la fuga en veinte minutos.",
            "Muy buen servicio, la nevera llegó a tiempo y el repartidor fue muy educado.",
            "Estoy encantada con la lavadora, es silenciosa y funciona perfectamente.",
            "Excelente instalación, lo dejaron todo limpio y me explicaron cómo funciona.",
            "Me respondieron rápido y la agente fue muy atenta, ¡gracias!",
            "Sin duda les recomendaría a mis amigos.",
            "La reparación fue rápida y el precio justo.",
            "Muy amables por teléfono, me solucionaron el problema el mismo día.",
            "Entrega perfecta, la caja llegó en perfecto estado.",
            "El mejor servicio posventa que he tenido, muy profesionales.",
            "El lavavajillas nuevo es estupendo y muy fácil de usar.",
            "Puntuales, educados y limpios. Nada que objetar.",
            "Gracias a Carmen por su paciencia, fue maravillosa.",
            "Todo fue genial desde el pedido hasta la instalación.",
            "Buena relación calidad-precio y un producto fiable.",
            "El técnico sabía lo que hacía y fue muy simpático.",
            "Me sorprendió lo rápido que contestaron a mi correo.",
            "Muy contento, el horno funciona de maravilla.",
            "Un servicio estupendo, volveré a comprarles.",
            "La visita fue puntual y el problema está solucionado. ¡Bravo!",
            "Personal muy agradable y todo muy sencillo.",
            "Muy satisfecho con toda la experiencia.",
            "La reclamación de garantía se resolvió rápido y bien, gracias.",
        ],
        "neutral": [
            "La lavadora la entregaron el martes.",
            "Compré la nevera en la tienda de Madrid.",
            "El técnico vino por la tarde.",
            "Llamé dos veces para concertar la instalación.",
            "El número de pedido está en el tique.",
            "Usamos la secadora unas tres veces por semana.",
            "El producto es el modelo de 8 kg.",
            "Todavía no he usado el horno.",
            "La factura me llegó por correo electrónico.",
            "Mi marido estaba en casa para la entrega.",
            "La instalación duró una hora más o menos.",
            "Pregunté por la garantía ampliada.",
            "El aparato está en la cocina de la segunda vivienda.",
            "La entrega fue en un segundo piso con ascensor.",
            "Pagué con tarjeta en la tienda.",
            "La visita fue el lunes por la mañana.",
            "Es la segunda máquina que compramos de esta marca.",
            "La agente me dio un número de incidencia.",
            "Nos mudamos de casa el mes pasado.",
            "Se llevaron el electrodoméstico viejo.",
            "El manual está en inglés y en español.",
            "Envié una foto del número de serie.",
            "La pieza se pidió la semana pasada.",
        ],
        "negative": [
            "El técnico fue muy maleducado y se marchó sin terminar el trabajo.",
            "Pésimo servicio, esperé tres semanas para una reparación sencilla.",
            "La nevera llegó rayada y nadie contestó a mis correos.",
            "Muy decepcionada, la lavadora se rompió a los dos meses.",
            "La entrega llegó tarde y el repartidor no quiso subirla.",
            "Una experiencia horrible, tuve que llamar cinco veces.",
            "El instalador dañó el suelo y ni siquiera pidió perdón.",
            "Demasiado caro para una reparación tan mala.",
            "Nadie me avisó de que cancelaron la visita, perdí un día de trabajo.",
            "El lavavajillas sigue perdiendo agua después de la reparación.",
            "No volveré a comprarles nunca.",
            "La agente no me ayudó nada y me colgó el teléfono.",
            "El horno es defectuoso y la sustitución se retrasa otra vez.",
            "Atención al cliente horrible, lenta y descuidada.",
            "La lavadora hace muchísimo ruido y vibra fatal.",
            "Me cobraron una reparación que debía cubrir la garantía.",
            "Sigo esperando la pieza, es inaceptable.",
            "La caja venía golpeada y la puerta rota.",
            "Muy mala comunicación, nunca sé qué está pasando.",
            "El técnico llegó tarde y no trajo la pieza.",
            "La peor compra que he hecho, un desastre y un dinero tirado.",
            "El reembolso tardó meses y tuve que poner una queja.",
            "Un soporte inútil, mi problema sigue sin resolver.",
        ],
    },
}

# Plain details people add after their remark; they carry no opinion.
DETAILS = {
    "en": [
        "",
        " It was the WM-800 washer.",
        " Order from March.",
        " We live in Seville.",
        " The visit was on a Thursday.",
        " It is for our flat in Valencia.",
        " Bought online.",
    ],
    "es": [
        "",
        " Era la lavadora WM-800.",
        " Pedido de marzo.",
        " Vivimos en Sevilla.",
        " La visita fue un jueves.",
        " Es para nuestro piso de Valencia.",
        " Comprado por internet.",
    ],
}


def rows(language: str) -> list[tuple[str, str]]:
    """Return (comment, label) pairs: each remark with a different detail, PER_CLASS per label."""
    found = []
    details = DETAILS[language]
    for label, remarks in REMARKS[language].items():
        pairs = [
            ((remark + details[(index + round) % len(details)]).strip(), label)
            for round in range(len(details))
            for index, remark in enumerate(remarks)
        ]
        found.extend(pairs[:PER_CLASS])
    return found


def main() -> None:
    for language in REMARKS:
        with (HERE / f"comments_{language}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["comment", "sentiment"])
            writer.writerows(rows(language))


if __name__ == "__main__":
    main()
