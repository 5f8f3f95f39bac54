"""One ``scene_*`` function per hero image, and ``IMAGES``: file name -> (gradient, angle, scene)."""

from __future__ import annotations

import math

from .canvas import H, S, W, rot
from .palette import (
    BLUE, GREEN, MINT, NAVY, ORANGE, PINK, PURPLE, RED, SILVER, SKY, STEEL, WHITE, YELLOW,
)
from .shapes import (
    bolt, bubble, circle, circuit, confetti, cube, dots_in_bubble, gear, hexagon, leaf, line, planet, poly,
    rocket, sparkle, star, starfield, wave,
)


def scene_about(d, rng):
    gear(d, 260, 560, 170, 12, ORANGE, hole=(255, 190, 110), angle=5)
    gear(d, 470, 370, 110, 9, YELLOW, hole=(255, 235, 150), angle=12)
    gear(d, 980, 620, 130, 10, PINK, hole=(255, 180, 210))
    rocket(d, 760, 330, 260, 30)
    planet(d, 1040, 190, 60, MINT, WHITE, (50, 180, 150))
    starfield(d, rng, 70)
    confetti(d, rng, [YELLOW, PINK, MINT, WHITE], 30)


def scene_space(d, rng):
    starfield(d, rng, 160)
    planet(d, 300, 250, 110, (255, 170, 80), (255, 225, 150), (230, 130, 60))
    circle(d, 1000, 720, 260, fill=(70, 110, 220))
    circle(d, 930, 650, 70, fill=(90, 200, 140))
    circle(d, 1090, 600, 50, fill=(90, 200, 140))
    rocket(d, 650, 380, 330, 35)
    gear(d, 160, 660, 80, 10, (120, 120, 230), hole=(60, 40, 130))
    gear(d, 270, 720, 50, 8, (170, 140, 255), hole=(60, 40, 130), angle=20)
    wave(d, 560, 30, 300, (255, 255, 255), 4, phase=1.0, x0=60, x1=520)


def scene_medical(d, rng):
    for i in range(5):
        wave(d, 560 + i * 45, 25, 420, (255, 255, 255) if i % 2 == 0 else (180, 245, 230), 10, phase=i * 0.7)
    cx, cy, a, b = 600, 300, 70, 200
    circle(d, cx, cy, 230, fill=(255, 255, 255))
    poly(d, [(cx - a, cy - b + 40), (cx + a, cy - b + 40), (cx + a, cy + b - 40), (cx - a, cy + b - 40)], fill=(255, 90, 120))
    poly(d, [(cx - b + 40, cy - a), (cx + b - 40, cy - a), (cx + b - 40, cy + a), (cx - b + 40, cy + a)], fill=(255, 90, 120))
    gear(d, 230, 230, 100, 10, (40, 170, 200), hole=(180, 240, 250))
    gear(d, 980, 260, 120, 11, (40, 170, 200), hole=(180, 240, 250), angle=8)
    gear(d, 1080, 110, 55, 8, (255, 255, 255), hole=(120, 220, 230))
    confetti(d, rng, [WHITE, (255, 90, 120), (40, 170, 200)], 25, box=(0, 0, W, 480))


def scene_art(d, rng):
    cx, cy = 640, 420
    for i in range(28):
        a = 2 * math.pi * i / 28
        c = [YELLOW, WHITE, ORANGE][i % 3]
        r1 = min((260 + 80 * (i % 2)) * rng.uniform(0.9, 1.2), 350)
        line(d, [(cx + 120 * math.cos(a), cy + 120 * math.sin(a)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))], c, 8)
    circle(d, cx, cy, 110, fill=WHITE)
    circle(d, cx, cy, 70, fill=YELLOW)
    shapes = [
        (200, 200, 110, PURPLE), (1020, 180, 90, BLUE), (180, 640, 80, MINT), (1040, 640, 120, (255, 90, 90)),
    ]
    for x, y, r, c in shapes:
        poly(d, rot([(x, y - r), (x + r * 0.9, y + r * 0.6), (x - r * 0.9, y + r * 0.6)], x, y, rng.uniform(-30, 30)), fill=c)
    circle(d, 380, 120, 50, fill=(60, 200, 220))
    circle(d, 880, 700, 60, fill=PURPLE)
    d.rectangle([S(60), S(380), S(160), S(480)], fill=BLUE)
    d.rectangle([S(1080), S(380), S(1160), S(460)], fill=YELLOW)
    confetti(d, rng, [WHITE, PURPLE, BLUE, MINT], 40)


def scene_school(d, rng):
    circuit(d, rng, (255, 255, 255), 14, (40, 40, 1160, 760), width=6, node=YELLOW)
    # pencil
    px, py = 380, 430
    body = [(px - 240, py - 45), (px + 160, py - 45), (px + 160, py + 45), (px - 240, py + 45)]
    tip = [(px + 160, py - 45), (px + 260, py), (px + 160, py + 45)]
    lead = [(px + 225, py - 16), (px + 260, py), (px + 225, py + 16)]
    eraser = [(px - 300, py - 45), (px - 240, py - 45), (px - 240, py + 45), (px - 300, py + 45)]
    for shape, c in ((body, YELLOW), (tip, (255, 220, 170)), (lead, NAVY), (eraser, PINK)):
        poly(d, rot(shape, px, py, -25), fill=c)
    stripe = [(px - 240, py - 8), (px + 160, py - 8), (px + 160, py + 8), (px - 240, py + 8)]
    poly(d, rot(stripe, px, py, -25), fill=ORANGE)
    # ruler
    rx, ry = 820, 600
    poly(d, rot([(rx - 300, ry - 50), (rx + 300, ry - 50), (rx + 300, ry + 50), (rx - 300, ry + 50)], rx, ry, 8), fill=(255, 255, 255))
    for i in range(13):
        x = rx - 270 + i * 45
        ln = 40 if i % 2 == 0 else 24
        line(d, rot([(x, ry - 50), (x, ry - 50 + ln)], rx, ry, 8), BLUE, 5)
    gear(d, 920, 250, 120, 10, (40, 150, 120), hole=(200, 250, 220))
    gear(d, 1090, 380, 70, 8, ORANGE, hole=(255, 220, 170), angle=10)
    star(d, 160, 150, 50, YELLOW)


def scene_kanagata(d, rng):
    palette = [((255, 230, 120), (255, 160, 60), (220, 90, 50)), ((255, 255, 255), (230, 220, 230), (190, 170, 200)), ((130, 220, 255), (60, 150, 230), (40, 100, 190))]
    for row in range(3):
        for col in range(4 - row):
            x = 520 + col * 160 - row * 0 + row * 80
            y = 560 - row * 130
            top, left, right = palette[(row + col) % 3]
            cube(d, x, y, 80, top, left, right)
    line(d, [(120, 200), (320, 200), (320, 320), (440, 320)], WHITE, 8)
    line(d, [(1080, 120), (960, 120), (960, 260)], WHITE, 8)
    circle(d, 440, 320, 14, fill=YELLOW)
    circle(d, 960, 260, 14, fill=YELLOW)
    gear(d, 180, 560, 130, 11, (255, 230, 120), hole=(240, 110, 50))
    gear(d, 1060, 520, 90, 9, WHITE, hole=(240, 110, 50), angle=15)
    confetti(d, rng, [WHITE, YELLOW], 25)


def scene_robotics(d, rng):
    circuit(d, rng, (160, 255, 230), 16, (30, 30, 1170, 770), width=5, node=WHITE)
    base = (380, 680)
    j1 = (380, 480)
    j2 = (640, 300)
    j3 = (840, 380)
    d.rounded_rectangle([S(260), S(660), S(500), S(740)], radius=S(20), fill=(255, 200, 60))
    line(d, [base, j1], ORANGE, 70)
    line(d, [j1, j2], WHITE, 60)
    line(d, [j2, j3], ORANGE, 50)
    for (x, y), r in ((j1, 50), (j2, 44), (j3, 36)):
        circle(d, x, y, r, fill=NAVY)
        circle(d, x, y, r * 0.5, fill=YELLOW)
    # gripper
    line(d, [j3, (880, 460)], WHITE, 18)
    line(d, [j3, (920, 420)], WHITE, 18)
    cube(d, 930, 540, 50, (255, 230, 120), (255, 160, 60), (220, 90, 50))
    for i, (x, y) in enumerate([(1050, 150), (1110, 230), (150, 150)]):
        for k in range(3):
            d.arc([S(x - 30 - k * 25), S(y - 30 - k * 25), S(x + 30 + k * 25), S(y + 30 + k * 25)], 200, 340, fill=WHITE, width=S(6))
        circle(d, x, y, 12, fill=WHITE)


def scene_lathe(d, rng):
    cx, cy = 420, 400
    for i, c in enumerate([(255, 240, 160), ORANGE, (255, 240, 160), (255, 190, 80), WHITE]):
        circle(d, cx, cy, 300 - i * 55, outline=c, width=18)
    gear(d, cx, cy, 70, 10, RED, hole=WHITE)
    # machined cylinder part
    px, py = 900, 300
    d.rectangle([S(px - 160), S(py - 60), S(px + 160), S(py + 60)], fill=SILVER)
    d.rectangle([S(px - 60), S(py - 90), S(px + 60), S(py + 90)], fill=STEEL)
    for x in (px - 160, px + 160):
        d.ellipse([S(x - 25), S(py - 60), S(x + 25), S(py + 60)], fill=(235, 240, 245))
    for x in (px - 60, px + 60):
        d.ellipse([S(x - 30), S(py - 90), S(x + 30), S(py + 90)], fill=(190, 200, 215))
    bolt(d, 920, 600, 110, (120, 90, 200), (255, 220, 120), angle=10)
    sparkle(d, 1100, 130, 40, WHITE)
    sparkle(d, 700, 650, 30, WHITE)
    confetti(d, rng, [WHITE, RED, (120, 90, 200)], 25)


def scene_welder(d, rng):
    cx, cy = 560, 470
    for i in range(46):
        a = math.radians(-200 + 220 * i / 45 + rng.uniform(-2, 2))
        r0, r1 = rng.uniform(40, 90), rng.uniform(220, 520)
        c = rng.choice([YELLOW, ORANGE, (255, 250, 200)])
        line(d, [(cx + r0 * math.cos(a), cy + r0 * math.sin(a)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))], c, rng.choice([4, 6, 8]))
        circle(d, cx + (r1 + 14) * math.cos(a), cy + (r1 + 14) * math.sin(a), 6, fill=c)
    circle(d, cx, cy, 60, fill=(255, 250, 220))
    circle(d, cx, cy, 35, fill=WHITE)
    d.rectangle([S(0), S(700), S(W), S(H)], fill=(60, 40, 90))
    d.rectangle([S(200), S(500), S(920), S(540)], fill=STEEL)
    for x in range(220, 900, 36):
        circle(d, x, 520, 20, fill=(200, 210, 225))
    bolt(d, 1020, 200, 90, (255, 120, 150), (90, 40, 110), angle=15)
    bolt(d, 150, 180, 60, (255, 180, 80), (90, 40, 110))
    starfield(d, rng, 25, colors=(YELLOW, WHITE), box=(0, 0, W, 400))


def scene_pen_stand(d, rng):
    # pens standing in the holder, behind the rocket
    for x, c, a in ((545, YELLOW, -14), (655, MINT, 12)):
        pen = [(x - 14, 200), (x + 14, 200), (x + 14, 620), (x - 14, 620)]
        poly(d, rot(pen, x, 620, a), fill=c)
        poly(d, rot([(x - 14, 200), (x + 14, 200), (x, 165)], x, 620, a), fill=NAVY)
    rocket(d, 600, 360, 380, 0, body=(235, 240, 248), accent=(120, 130, 200), window=PINK, flame=None)
    # round stand in front of the rocket's base
    d.ellipse([S(360), S(580), S(840), S(730)], fill=(120, 130, 200))
    d.ellipse([S(380), S(570), S(820), S(690)], fill=SILVER)
    starfield(d, rng, 50, colors=(WHITE, YELLOW, (120, 130, 200)))
    planet(d, 1000, 190, 60, (255, 190, 120), WHITE, (240, 150, 90))
    sparkle(d, 200, 220, 50, WHITE)
    gear(d, 200, 620, 90, 9, (120, 130, 200), hole=(255, 220, 235))


def scene_chatbot(d, rng):
    bubble(d, 140, 140, 480, 180, WHITE, tail="left")
    dots_in_bubble(d, 140, 140, 480, 180, (60, 170, 220))
    bubble(d, 560, 400, 520, 180, (255, 230, 90), tail="right")
    dots_in_bubble(d, 560, 400, 520, 180, ORANGE)
    gear(d, 1000, 180, 90, 9, (40, 160, 130), hole=(200, 250, 230))
    gear(d, 240, 600, 110, 10, WHITE, hole=(90, 200, 240))
    confetti(d, rng, [WHITE, YELLOW, (40, 160, 130)], 40)


def scene_winter(d, rng):
    for i in range(7):
        for j in range(4):
            x, y = 420 + i * 90, 300 + j * 90
            c = WHITE if (i + j) % 3 else (255, 200, 90)
            d.rounded_rectangle([S(x), S(y), S(x + 70), S(y + 70)], radius=S(10), fill=c)
    d.rounded_rectangle([S(400), S(200), S(1050), S(280)], radius=S(16), fill=(70, 130, 230))
    for x in (480, 970):
        d.rounded_rectangle([S(x - 10), S(170), S(x + 10), S(230)], radius=S(8), fill=NAVY)
    for x, y, r in ((190, 200, 90), (220, 560, 70), (1080, 640, 60), (1110, 120, 50)):
        for k in range(6):
            a = math.radians(60 * k)
            line(d, [(x, y), (x + r * math.cos(a), y + r * math.sin(a))], WHITE, 10)
            hexagon(d, x + r * 0.6 * math.cos(a), y + r * 0.6 * math.sin(a), r * 0.14, (170, 220, 255))
        hexagon(d, x, y, r * 0.28, WHITE, 30)
    gear(d, 720, 720, 90, 10, (255, 200, 90), hole=(90, 170, 230))
    confetti(d, rng, [WHITE], 60, rmin=3, rmax=7)


def scene_kaleidoscope(d, rng):
    cx, cy = 600, 400
    cols = [RED, ORANGE, YELLOW, GREEN, SKY, BLUE, PURPLE, PINK]
    for ring, (r0, r1) in enumerate(((60, 200), (200, 330))):
        n = 12 if ring == 0 else 16
        for i in range(n):
            a0 = 2 * math.pi * i / n
            a1 = 2 * math.pi * (i + 1) / n
            am = (a0 + a1) / 2
            tri = [(cx + r0 * math.cos(am), cy + r0 * math.sin(am)), (cx + r1 * math.cos(a0), cy + r1 * math.sin(a0)), (cx + r1 * math.cos(a1), cy + r1 * math.sin(a1))]
            poly(d, tri, fill=cols[(i + ring * 3) % len(cols)])
    circle(d, cx, cy, 70, fill=WHITE)
    star(d, cx, cy, 55, YELLOW, points=6, inner=0.5)
    for i in range(16):
        a = 2 * math.pi * (i + 0.5) / 16
        circle(d, cx + 360 * math.cos(a), cy + 360 * math.sin(a), 16, fill=WHITE)
    starfield(d, rng, 40, colors=(WHITE,))


def scene_tour(d, rng):
    gear(d, 330, 420, 230, 14, (60, 90, 200), hole=(150, 210, 255))
    gear(d, 610, 220, 110, 10, (110, 200, 255), hole=(40, 60, 150), angle=8)
    px, py = 830, 540
    d.rectangle([S(px - 200), S(py - 70), S(px + 200), S(py + 70)], fill=SILVER)
    d.rectangle([S(px - 80), S(py - 100), S(px + 40), S(py + 100)], fill=STEEL)
    for x in (px - 200, px + 200):
        d.ellipse([S(x - 28), S(py - 70), S(x + 28), S(py + 70)], fill=(240, 244, 250))
    for x in (px - 80, px + 40):
        d.ellipse([S(x - 32), S(py - 100), S(x + 32), S(py + 100)], fill=(190, 200, 215))
    rocket(d, 1010, 220, 170, 40, accent=ORANGE)
    starfield(d, rng, 60)


def scene_meetup(d, rng):
    nodes = [(rng.uniform(80, 1120), rng.uniform(80, 720)) for _ in range(22)]
    for i, (x, y) in enumerate(nodes):
        for (x2, y2) in nodes[i + 1:]:
            if math.hypot(x - x2, y - y2) < 260:
                line(d, [(x, y), (x2, y2)], (170, 150, 255), 4)
    for x, y in nodes:
        circle(d, x, y, 12, fill=WHITE)
    for (x, y, w, h, c, t) in ((150, 130, 360, 140, PINK, "left"), (700, 110, 340, 130, YELLOW, "right"), (260, 480, 320, 130, MINT, "left"), (720, 470, 380, 150, SKY, "right")):
        bubble(d, x, y, w, h, c, tail=t)
        dots_in_bubble(d, x, y, w, h, WHITE)
    sparkle(d, 600, 380, 50, WHITE)


def scene_3d_printer(d, rng):
    cols = [(255, 90, 120), ORANGE, YELLOW, (90, 210, 140), SKY, PURPLE]
    base_y = 640
    for i in range(12):
        w = 420 - i * 22
        y = base_y - i * 34
        d.rounded_rectangle([S(600 - w / 2), S(y - 30), S(600 + w / 2), S(y)], radius=S(14), fill=cols[i % len(cols)])
    # nozzle
    poly(d, [(560, 120), (640, 120), (620, 190), (580, 190)], fill=NAVY)
    poly(d, [(585, 190), (615, 190), (600, 215)], fill=ORANGE)
    d.rectangle([S(200), S(90), S(1000), S(120)], fill=WHITE)
    cube(d, 180, 540, 70, WHITE, (200, 230, 120), (130, 190, 80))
    cube(d, 1020, 500, 60, WHITE, (255, 200, 90), (240, 150, 60))
    circuit(d, rng, WHITE, 6, (40, 160, 1160, 360), width=5, node=YELLOW)
    d.rectangle([S(0), S(660), S(W), S(H)], fill=(60, 140, 90))


def scene_employment(d, rng):
    for i in range(5):
        x, y = 160 + i * 150, 640 - i * 100
        d.rectangle([S(x), S(y), S(x + 150), S(H)], fill=[WHITE, (255, 240, 200), (255, 225, 160), (255, 205, 120), (255, 185, 80)][i])
    ax, ay = 980, 400
    poly(d, [(ax, ay - 300), (ax + 150, ay - 120), (ax + 60, ay - 120), (ax + 60, ay + 300), (ax - 60, ay + 300), (ax - 60, ay - 120), (ax - 150, ay - 120)], fill=(240, 80, 60))
    gear(d, 220, 220, 100, 10, WHITE, hole=ORANGE)
    gear(d, 370, 120, 55, 8, (240, 80, 60), hole=(255, 230, 150), angle=10)
    star(d, 760, 150, 50, WHITE)
    confetti(d, rng, [WHITE, (240, 80, 60)], 30, box=(0, 0, W, 450))


def scene_scholarship(d, rng):
    # graduation cap
    cx, cy = 380, 260
    poly(d, [(cx - 130, cy + 20), (cx + 130, cy + 20), (cx + 110, cy + 130), (cx - 110, cy + 130)], fill=NAVY)
    poly(d, [(cx, cy - 110), (cx + 260, cy), (cx, cy + 110), (cx - 260, cy)], fill=(40, 50, 110))
    line(d, [(cx, cy), (cx + 200, cy + 30), (cx + 200, cy + 170)], YELLOW, 8)
    circle(d, cx + 200, cy + 180, 20, fill=YELLOW)
    # coins
    for i, (x, y) in enumerate(((760, 660), (860, 660), (810, 590), (960, 660))):
        circle(d, x, y, 60, fill=(255, 200, 60))
        circle(d, x, y, 42, fill=(255, 225, 120))
    # sprout
    sx, sy = 1030, 520
    line(d, [(sx, sy + 80), (sx, sy - 140)], (60, 160, 70), 16)
    leaf(d, sx, sy - 60, 150, 45, -35, (90, 200, 90))
    leaf(d, sx, sy - 120, 130, 40, -150, (120, 220, 100))
    d.rectangle([S(0), S(720), S(W), S(H)], fill=(90, 170, 90))
    confetti(d, rng, [WHITE, YELLOW], 35, box=(0, 0, W, 520))
    sparkle(d, 640, 200, 40, WHITE)


IMAGES = {
    "about": ([(40, 90, 220), (150, 90, 220), (255, 140, 80)], 60, scene_about),
    "space-industry-ota": ([(15, 20, 70), (60, 30, 130), (120, 50, 170)], 90, scene_space),
    "medical-engineering-ota": ([(120, 210, 250), (120, 235, 200)], 90, scene_medical),
    "art-monozukuri-ota": ([(255, 90, 160), (255, 150, 120), (255, 210, 60)], 30, scene_art),
    "school-steam-ota": ([(150, 220, 80), (80, 200, 230)], 45, scene_school),
    "series-company-shinonome-kanagata": ([(255, 170, 60), (240, 70, 70)], 100, scene_kanagata),
    "series-company-minato-robotics": ([(20, 160, 170), (110, 60, 190)], 20, scene_robotics),
    "series-people-lathe-craftsperson": ([(255, 220, 60), (255, 140, 40)], 70, scene_lathe),
    "series-people-welder": ([(20, 20, 70), (130, 40, 130)], 90, scene_welder),
    "series-product-rocket-pen-stand": ([(130, 220, 255), (255, 170, 210)], 80, scene_pen_stand),
    "news-chatbot-launch": ([(90, 200, 255), (160, 230, 110)], 35, scene_chatbot),
    "news-winter-events-2027": ([(90, 170, 240), (200, 235, 255)], 90, scene_winter),
    "local-kaleidoscope-workshop": ([(255, 120, 120), (255, 210, 80), (120, 220, 160), (100, 150, 255), (190, 120, 240)], 20, scene_kaleidoscope),
    "local-kouwa-seiki-tour": ([(20, 50, 140), (70, 170, 240)], 90, scene_tour),
    "local-monozukuri-meetup-night": ([(30, 30, 110), (110, 50, 170)], 60, scene_meetup),
    "local-3d-printer-class": ([(60, 190, 110), (250, 230, 90)], 90, scene_3d_printer),
    "employment-support": ([(255, 150, 50), (255, 220, 80)], 90, scene_employment),
    "scholarship-repayment-support": ([(170, 230, 110), (110, 200, 240)], 120, scene_scholarship),
}
