"""Everything printed on a Radura label: URIs, signatures, QR codes, SVG / PNG / PDF.

Pure library code for the web app, the CLI and workers alike: no Litestar, no database.
Import the modules you need (this file imports nothing, so `labels.uri` stays light):

- `labels.uri`: `unsigned_path(ref)`, `signed_uri(base_url, ref, keyring)`,
  `with_signature(path, s)`, `parse_label_uri(text, *, today=None) -> ParsedLabel`,
  `parse_gs1_key_path(segments, allowed_ais)` (the walk after `/01/`, shared with the resolver),
  `encode_ai_value(value)`, `LabelUriError(reason)`.
- `labels.signing`: `Keyring` (`load_or_create(data_dir, env_private_key)`, `rotate(data_dir)`,
  `from_jwks(jwks)`, `generate()`, `.sign(message) -> str`, `.verify(message, s) -> VerifyResult`,
  `.jwks()`, `.active_kid`), `VerifyResult`, `KeyringError`, `parse_private_key(text)`,
  `new_env_private_key()`. `RADURA_SIGNING_KEY` formats are in that module's docstring.
- `labels.gtin`: `gtin_check_digit_ok(text)`, `normalize_gtin(text) -> str` (14 digits),
  `gtin_check_digit(body)`.
- `labels.codes`: `random_code(n=10)`, `is_code(text)`, `readable_code(code, serial=None)`,
  `normalize_typed_code(text)`, `CROCKFORD_ALPHABET`.
- `labels.qr`: `qr_matrix(uri) -> QrMatrix` (level M; same modules and mask as qrcode),
  `mask_penalties(uri)`, `QUIET_ZONE_MODULES`.
- `labels.svg`: `label_svg(content, layout="a4-3x8", lang="id", dpi=203)`,
  `qr_svg(uri, module_mm=0.5)`.
- `labels.png`: `label_png(content, dpi=300, layout="a4-3x8", lang="id", printer_dpi=203)`,
  `qr_png(uri, module_px=8, dpi=None)`.
- `labels.qr_bulk`: `bulk_matrix(uri, version) -> QrMatrix` (zxing-cpp encodes, masked as
  `qr_matrix` chooses; for sheets of thousands).
- `labels.pdf`: `render_pdf(cells, layout, progress=None, lang="id", created_at=None, dpi=203)
  -> bytes`, `render_pdf_to(stream, cells, layout, ..., dpi=203) -> int` (`dpi`: the roll
  printer's, 203 or 300; each page written to `stream` when full), `serial_cells(base,
  [(serial, uri), ...])`; `labels.pdf_writer`: the page-by-page PDF writer under it.
- `labels.layouts`: `LAYOUTS`, `get_layout(name)` (`a4-3x8`, `a4-2x5`, `thermal-80x50`,
  `thermal-58x40`, `thermal-50x30`, `thermal-40x30`), `ROLL_DPIS`, `DEFAULT_DPI`;
  `labels.compose`: `compose_label(...)`, `LabelFitError`.
- `labels.fit`: `fits(layout, content, dpi=203)`, `fitting_layouts(content, dpi=203)`,
  `smallest_fitting_layout(content, dpi=203)`: whether a layout's stickers hold everything.
- `labels.wording`: the printed words, Bahasa Indonesia and English (`WORDING`, `PURPOSES`).
- `labels.gs1_dates`: `parse_gs1_date(yymmdd, today)`, `format_gs1_date(day)`;
  `labels.radura_symbol`: the symbol's vector outlines; `labels.typography`: fonts (DejaVu,
  the CJK fallback a market's words need, and the export certificate's larger one:
  `font_runs`, `missing_characters`), wrapping.

Value types (`LabelRef`, `LabelContent`, `ParsedLabel`) live in `schemas.labels`.
"""
