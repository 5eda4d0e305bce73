/* record.js - the record form 一企一表 on a phone with a weak connection (record_form.html).
 * The form works without it (plain POST). With it:
 *   - every input is kept in localStorage ("record-draft-<id>": {id, base_version, data, pending})
 *     so nothing typed is lost when the page or the connection goes away;
 *   - 保存 sends the form as JSON (PUT data-api with the X-CSRF-Token header); when the browser is
 *     offline or the request fails, the draft stays on the device marked pending and the page
 *     says so; on load and on the `online` event a pending draft is sent again;
 *   - a version conflict (409) keeps the draft and sends the form once more by the plain POST, whose
 *     answer shows what was typed beside what was saved meanwhile (stale.html), in a form on the
 *     current version; field errors (422) are shown;
 *   - the signature canvas takes pointer events (finger, pen or mouse) and is sent as a PNG
 *     data URL with the signature form.
 * No inline script (CSP default-src 'self'). */
(function () {
    "use strict";
    var form = document.getElementById("record-form");
    if (!form) return;
    var id = form.getAttribute("data-record-id");
    var api = form.getAttribute("data-api");
    var key = "record-draft-" + id;
    var statusEl = document.getElementById("draft-status");
    var versionInput = form.querySelector("input[name=version]");
    var csrf = form.querySelector("input[name=csrf]").value;
    var sending = false;

    function say(text, kind) {
        if (!statusEl) return;
        statusEl.textContent = text;
        statusEl.className = "flash flash-" + (kind || "info") + " draft-status";
        statusEl.hidden = !text;
    }

    function values(name) {
        var out = [];
        var els = form.querySelectorAll("[name='" + name + "']");
        for (var i = 0; i < els.length; i++) {
            var el = els[i];
            if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
            if (el.value !== "") out.push(el.value);
        }
        return out;
    }
    function value(name) {
        var el = form.querySelector("[name='" + name + "']");
        return el ? el.value : "";
    }
    function checked(name) {
        var el = form.querySelector("[name='" + name + "']");
        return !!(el && el.checked);
    }

    /* The form as the JSON the API takes (the same fields as the plain POST). */
    function collect() {
        var data = {
            checked_from: value("checked_from"),
            checked_on: value("checked_on"),
            dates_reason: value("dates_reason"),
            remarks: value("remarks"),
            notes: value("notes"),
            refusal_reason: value("refusal_reason"),
            fraud_purpose: checked("fraud_purpose"),
            police_transfer: checked("police_transfer"),
            result_codes: values("result_codes"),
            officers: values("officers"),
            items: [],
            violations: []
        };
        var items = form.querySelectorAll(".record-item");
        for (var i = 0; i < items.length; i++) {
            var pos = items[i].id.replace("item-", "");
            data.items.push({
                position: parseInt(pos, 10),
                methods: values("item" + pos + "_methods"),
                result: values("item" + pos + "_result"),
                notes: value("item" + pos + "_notes")
            });
        }
        var rows = form.querySelectorAll(".record-violation");
        for (var k = 0; k < rows.length; k++) {
            var q = function (n) { var el = rows[k].querySelector("[name='" + n + "']"); return el ? el.value : ""; };
            data.violations.push({ id: q("v_id"), category: q("v_category"), amount: q("v_amount"),
                                   item_position: q("v_item"), description: q("v_desc") });
        }
        return data;
    }

    /* Puts a saved draft back into the form. */
    function restore(data) {
        var set = function (name, v) { var el = form.querySelector("[name='" + name + "']"); if (el && v !== undefined) el.value = v; };
        var setChecks = function (name, list) {
            var els = form.querySelectorAll("[name='" + name + "']");
            for (var i = 0; i < els.length; i++) els[i].checked = (list || []).indexOf(els[i].value) >= 0;
        };
        ["checked_from", "checked_on", "dates_reason", "remarks", "notes", "refusal_reason"].forEach(function (n) { set(n, data[n]); });
        var f = form.querySelector("[name=fraud_purpose]"), p = form.querySelector("[name=police_transfer]");
        if (f) f.checked = !!data.fraud_purpose;
        if (p) p.checked = !!data.police_transfer;
        setChecks("result_codes", data.result_codes);
        setChecks("officers", data.officers);
        (data.items || []).forEach(function (it) {
            setChecks("item" + it.position + "_methods", it.methods);
            setChecks("item" + it.position + "_result", it.result);
            set("item" + it.position + "_notes", it.notes);
        });
        var rows = form.querySelectorAll(".record-violation");
        (data.violations || []).forEach(function (v, k) {
            if (!rows[k]) return;
            var s = function (n, val) { var el = rows[k].querySelector("[name='" + n + "']"); if (el) el.value = val || ""; };
            s("v_id", v.id); s("v_category", v.category); s("v_amount", v.amount); s("v_item", v.item_position); s("v_desc", v.description);
        });
    }

    function load() {
        try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    function store(pending) {
        var d = { id: id, base_version: parseInt(versionInput.value, 10), data: collect(), pending: !!pending,
                  saved_at: new Date().toISOString() };
        try { localStorage.setItem(key, JSON.stringify(d)); } catch (e) { /* storage full: the POST still works */ }
        return d;
    }

    function showErrors(fields) {
        var list = [];
        for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) list.push(fields[k]);
        say("未保存：" + list.join("；"), "error");
    }

    /* Sends the draft to the JSON API. */
    function send(d) {
        if (sending) return;
        if (!navigator.onLine) {
            d.pending = true;
            localStorage.setItem(key, JSON.stringify(d));
            say("当前离线：草稿已保存在本设备，联网后自动提交。", "warning");
            return;
        }
        sending = true;
        var body = d.data;
        body.version = d.base_version;
        fetch(api, {
            method: "PUT",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
            body: JSON.stringify(body)
        }).then(function (res) {
            return res.json().then(function (j) { return { status: res.status, body: j }; },
                                   function () { return { status: res.status, body: {} }; });
        }).then(function (r) {
            sending = false;
            if (r.status === 200) {
                var v = r.body.record.version;
                versionInput.value = v;
                form.setAttribute("data-version", v);
                var shown = document.getElementById("rec-version");
                if (shown) shown.textContent = v;
                localStorage.removeItem(key);
                say("已保存（第" + v + "版）。", "success");
            } else if (r.status === 409) {
                d.pending = false;
                d.conflict = true;
                localStorage.setItem(key, JSON.stringify(d));
                say("版本冲突：" + ((r.body.error && r.body.error.message) || "该记录已被他人修改") +
                    "。您的草稿仍保存在本设备上，正在显示他人已保存的内容以便核对……", "error");
                /* the plain POST of the same form on the draft's version: the server answers with
                 * the typed values beside the saved ones (form.submit() skips this handler) */
                versionInput.value = d.base_version;
                form.submit();
            } else if (r.status === 422) {
                d.pending = false;
                localStorage.setItem(key, JSON.stringify(d));
                showErrors((r.body.error && r.body.error.fields) || {});
            } else if (r.status === 401 || r.status === 403) {
                d.pending = true;
                localStorage.setItem(key, JSON.stringify(d));
                say("登录已过期：草稿已保存在本设备，请重新登录后打开本页自动提交。", "warning");
            } else {
                d.pending = true;
                localStorage.setItem(key, JSON.stringify(d));
                say("保存失败（" + r.status + "）：草稿已保存在本设备，稍后自动重试。", "warning");
            }
        }, function () {
            sending = false;
            d.pending = true;
            localStorage.setItem(key, JSON.stringify(d));
            say("网络不可用：草稿已保存在本设备，联网后自动提交。", "warning");
        });
    }

    form.addEventListener("input", function () { store(false); });
    form.addEventListener("change", function () { store(false); });
    form.addEventListener("submit", function (e) {
        var submitter = e.submitter;
        if (submitter && submitter.value === "submit") {
            if (!navigator.onLine) {
                e.preventDefault();
                store(true);
                say("当前离线，不能提交审核：草稿已保存在本设备，联网后自动保存，再提交。", "warning");
            }
            return; /* submitting for review goes by the plain POST */
        }
        e.preventDefault();
        send(store(true));
    });

    function sendPending() {
        var d = load();
        if (d && d.pending && String(d.id) === String(id)) send(d);
    }
    window.addEventListener("online", sendPending);

    /* On load: a draft of this record left on the device. The answer to a save on an old version
     * (#record-stale) holds the typed values in a form on the current version: that is the draft
     * now. */
    if (document.getElementById("record-stale")) store(false);
    var d = document.getElementById("record-stale") ? null : load();
    if (d && String(d.id) === String(id)) {
        var current = parseInt(versionInput.value, 10);
        if (d.base_version === current) {
            restore(d.data);
            if (d.pending) {
                say("正在提交本设备上的草稿……", "info");
                send(d);
            } else {
                say("已恢复本设备上尚未保存的草稿。", "info");
            }
        } else {
            say("本设备上有一份基于第" + d.base_version + "版的草稿，但记录已更新为第" + current +
                "版；草稿未自动提交，仍保存在本设备上。请核对后重新录入。", "warning");
        }
    }

    /* ---- signature canvas ---- */
    var canvas = document.getElementById("sig-canvas");
    var sigForm = document.getElementById("signature-form");
    if (!canvas || !sigForm) return;
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    function point(e) {
        var r = canvas.getBoundingClientRect();
        return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
        e.preventDefault();
        drawing = true;
        last = point(e);
        if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
        if (!drawing) return;
        e.preventDefault();
        var p = point(e);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        last = p;
        drawn = true;
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    document.getElementById("sig-clear").addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
    });
    sigForm.addEventListener("submit", function (e) {
        if (!drawn) {
            e.preventDefault();
            say("请先在签名框内签名。", "error");
            return;
        }
        document.getElementById("sig-data").value = canvas.toDataURL("image/png");
    });
})();
