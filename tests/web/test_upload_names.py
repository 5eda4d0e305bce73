"""File names in any encoding (issue 17): a photo whose name comes as GB18030 bytes (what Chinese Windows
sends) or as bytes that are no text at all is stored under a readable UTF-8 name, listed on the record
form, audited with that name, and can be withdrawn like any other."""
import json
from webtest import Suite
from fixture_drawn import drawn_db, sql

s = Suite()
f = drawn_db()
db, groups = f["db"], f["groups"]
t = f["targets"][0]
o = f["officer_user_for"]([c for c, role in groups[t] if role != "专家"][0])
o.get("/my/records")
rid = sql(db, "SELECT id FROM record WHERE target_code = ?", (t,))[0][0]
jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 8 + b"\xff\xd9"


def upload(raw_name, data):
    b = b"----spotcheckNames1"
    body = (b"--" + b + b'\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n' + o.csrf.encode() + b"\r\n--" + b +
            b'\r\nContent-Disposition: form-data; name="file"; filename="' + raw_name + b'"\r\nContent-Type: image/jpeg\r\n\r\n' +
            data + b"\r\n--" + b + b"--\r\n")
    return o.do("POST", f"/my/records/{rid}/files", body, {"Content-Type": "multipart/form-data; boundary=" + b.decode()})


cases = [("GB18030", "现场照片.jpg".encode("gb18030"), "现场照片.jpg"),
         ("bytes that are no text", b"photo\xff\xfe.jpg", "photo\ufffd\ufffd.jpg")]
for i, (what, raw, shown) in enumerate(cases):
    r = upload(raw, jpeg + bytes([i]))
    s.check(f"{what}: the upload is accepted", r.status == 303, f"{r.status} {r.text[-200:]}")
    row = sql(db, "SELECT id, original_name FROM record_file WHERE record_id = ? ORDER BY id DESC LIMIT 1", (rid,))
    s.check(f"{what}: stored as readable UTF-8", row and row[0][1] == shown, str(row))
    form = o.get(f"/my/records/{rid}")
    s.check(f"{what}: listed on the record form", form.status == 200 and shown in form.text, str(form.status))
    fid = row[0][0]
    audit = sql(db, "SELECT after FROM audit_log WHERE action = 'record.file.add' ORDER BY id DESC LIMIT 1")
    s.check(f"{what}: audited", audit and json.loads(audit[0][0])["change"]["file_id"] == fid, str(audit))
    r = o.form(f"/my/records/{rid}/files/{fid}/withdraw", {"reason": "名称乱码，重新上传"})
    s.check(f"{what}: can be withdrawn", r.status == 303 and
            sql(db, "SELECT status FROM record_file WHERE id = ?", (fid,))[0][0] == "已撤销", str(r.status))
s.done()
