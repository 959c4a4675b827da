"""Error and warning messages with codes and ``{placeholders}`` (in the manner of spaCy's errors.py).

Use as ``raise VnpolicyError(Errors.E001.format(path=path, reason=reason))``. Codes are never
reused; add new ones at the end of their block.
"""

from __future__ import annotations


class Errors:
    """Error messages. ``E0xx`` input, ``E1xx`` Label Studio, ``E2xx`` model and training."""

    E001 = "E001 {path}: {reason}"
    E002 = "E002 {path}: file is empty"
    E003 = "E003 {path}: binary data, not text"
    E004 = "E004 {path}: cannot decode as UTF-8 (with or without BOM) or UTF-16 with BOM: {reason}"
    E005 = "E005 {path}: no such file or folder"
    E006 = "E006 {path} line {line}: not a JSON object with 'id' and 'text': {reason}"
    E007 = "E007 Unknown output format {fmt!r}; choose one of {choices}"
    # E1xx Label Studio: tasks, exports, stand-off records, server and client (labelstudio/, corpus.py)
    E101 = "E101 {where}: missing {key}"
    E102 = "E102 {where}: span {region} [{start}, {end}) is out of range for a text of {length} characters"
    E103 = "E103 {where}: span {region} [{start}, {end}) says {stored!r} but the text there is {actual!r}"
    E104 = "E104 {where}: spans {first} [{s1}, {e1}) and {second} [{s2}, {e2}) overlap; spans are flat"
    E105 = "E105 {where}: span {region} has label {label!r}, which is not in the schema ({choices})"
    E106 = "E106 {where}: relation {head} -> {tail} has type {label!r}, which is not in the schema ({choices})"
    E107 = "E107 {where}: relation {label} points to {region!r}, which is not a labelled span of this annotation"
    E108 = "E108 {where}: {label} does not allow {head_label} -> {tail_label} ({head!r} -> {tail!r}); it allows {allowed}"
    E109 = "E109 {where}: annotation {annotation} was cancelled (skipped); delete it or annotate the task"
    E110 = "E110 {where}: {count} {source} on one task; keep exactly one"
    E111 = "E111 {where}: no {source} to read"
    E112 = "E112 {where}: span {region} has {count} labels; give it exactly one"
    E113 = "E113 {where}: relation {head} -> {tail} has no type; pick one of the relation labels"
    E114 = "E114 {where}: relation {head} -> {tail} is bidirectional; relations are directed (head -> tail)"
    E115 = "E115 {where}: span {region} {text!r} starts or ends with white space"
    E116 = "E116 document {doc_id}: cannot re-join its parts: {reason}"
    E117 = "E117 {where}: {reason}"
    E118 = ("E118 {doc_id}: the corpus text has sha256 {actual}, but the stand-off record was made on a text with "
            "sha256 {expected}; {corpus} has changed since. Restore that corpus version or re-annotate the document")
    E119 = "E119 {doc_id}: not in the corpus {corpus} (looked up id {corpus_id!r} and source_url {source_url!r})"
    E120 = "E120 Cannot reach Label Studio at {url} ({reason}). Start one with 'vnpolicy studio serve', or pass --url"
    E121 = ("E121 Label Studio at {url} refused the API token (HTTP {status}). Check --token, VNPOLICY_LS_TOKEN or "
            "LABEL_STUDIO_API_KEY: it must be the legacy token shown under Account & Settings, and legacy tokens must "
            "be enabled (Organization > API Token Settings; 'vnpolicy studio serve' enables them)")
    E122 = "E122 No project titled {title!r} on {url}; projects there: {available}"
    E123 = ("E123 No Label Studio API token: pass --token, set VNPOLICY_LS_TOKEN or LABEL_STUDIO_API_KEY, or start "
            "a server with 'vnpolicy studio serve' (it keeps its token in {credentials})")
    E124 = "E124 Talking to Label Studio needs label-studio-sdk: pip install 'label-studio-sdk>=2.0,<3' ({reason})"
    E125 = ("E125 The label-studio executable was not found (VNPOLICY_LABEL_STUDIO_BIN, PATH, {default}); "
            "install it with: bash scripts/install_studio.sh")
    E126 = "E126 Label Studio did not become healthy at {url} within {timeout} s{exited}; see the log {log}"
    E127 = "E127 Port {port} on {host} is already in use; pass another --port"
    E128 = ("E128 Label Studio in {workspace} does not accept the token from {source}: the workspace was set up with "
            "another token. Use the token in {workspace}/credentials.json, or start with a new --workspace")
    E129 = "E129 Label Studio at {url} answered HTTP {status} to {action}: {detail}"
    E130 = "E130 A Label Studio token must have 6 to 40 characters, got {length}"
    E131 = "E131 {fmt} output needs the project tokenizer (vnpolicy_nlp.tokenizer.make_nlp): {reason}"
    E132 = "E132 {where}: {field} is {value!r}, expected {expected}"
    E133 = "E133 Corpus file {path} not found; pass --corpus with the corpus JSONL that the texts come from"
    E134 = "E134 No documents to convert in {path}"


    E202 = "E202 {path}: comes from the gold set, which is never training data"
    E203 = "E203 Not enough documents to train: {n_train} for training, {n_dev} for dev"
    E204 = "E204 --set takes KEY=VALUE, got {item!r}"
    E201 = "E201 {path} is not a model folder (no config.cfg); train one with 'vnpolicy train' or use --model patterns"
    # E3xx evaluation (evaluate.py)
    E301 = "E301 {path}: no gold set there; pass --gold with a Label Studio export file or folder"
    E302 = "E302 {path}: no valid gold task left to score ({skipped} skipped as invalid); run 'vnpolicy data validate {path}'"
    E303 = "E303 Cannot load model {model!r}: {reason}"
    E304 = "E304 The underthesea baseline needs underthesea: pip install 'underthesea>=9.5,<10' ({reason})"
    E305 = "E305 Leave-one-article-out needs at least two articles in the gold set, found {n}"
    E306 = "E306 Evaluation needs {module}, which cannot be imported: {reason}"


class Warnings:
    """Warning messages, aggregated by the caller rather than repeated in loops."""

    W001 = "W001 {count} task(s) skipped as invalid: {summary}"
    # W1xx Label Studio (labelstudio/, corpus.py)
    W101 = "W101 {count} relation(s) cross a paragraph split and were left out of the tasks: {summary}"
    W102 = "W102 Pushing without pre-annotations: {reason}"
    W103 = "W103 {count} task(s) already in project {title!r} were not pushed again: {summary}"
    W104 = "W104 Stand-off records were not checked against a corpus: {reason}"
    # W3xx evaluation (evaluate.py)
    W301 = "W301 {count} predicted document(s) have no gold document and were not scored: {ids}"
    W302 = "W302 Relations naming unknown entity ids were not scored: {gold} gold, {pred} predicted"
    W303 = "W303 underthesea failed on {count} line(s), left untagged in its baseline: {summary}"
    W304 = "W304 {count} prediction(s) changed the document text (first: {doc}); offsets may not match the gold"
    W305 = "W305 Baseline {name!r} failed and is left out of the report: {reason}"
    W306 = "W306 {path}: cannot read the learning curve: {reason}"


class VnpolicyError(Exception):
    """An error whose message carries one of the codes in :class:`Errors`."""
