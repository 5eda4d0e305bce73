/* app.js - the few progressive enhancements of the spotcheck pages. Every page works without
 * it: forms submit normally, links navigate. Loaded by layout.html with defer; all behaviour is
 * attached by event delegation on the document, so content swapped in later (an upload report)
 * works too. No inline scripts anywhere (CSP default-src 'self').
 *
 *   data-confirm="确定停用该对象？"  on a button, link or form: asks before acting.
 *   data-autosubmit                  on a select (or a form: every select in it): submits the
 *                                    form when the value changes (filter bars).
 *   data-upload                      on a multipart form: sends it with XMLHttpRequest and shows
 *                                    a progress bar; then follows the server's redirect, or puts
 *                                    the returned page's <main> (the import report) in place.
 *   data-print                       on a button: opens the browser's print dialog (检查通知书).
 *   data-unsaved="message"           on a form: once something in it changed, submitting another form
 *                                    of the page (提交审批 before 保存) asks first, so typed text is not lost.
 */
(function () {
    "use strict";

    var doc = document;

    function closest(el, selector) {
        return el && el.closest ? el.closest(selector) : null;
    }

    /* Print buttons (the notice pages): an inline onclick would break the CSP. */
    doc.addEventListener("click", function (e) {
        if (closest(e.target, "[data-print]")) window.print();
    });

    /* Confirmation on buttons and links (capture phase, before the form sees a submit). */
    doc.addEventListener(
        "click",
        function (e) {
            var el = closest(e.target, "[data-confirm]");
            if (!el || el.tagName === "FORM") return;
            if (!window.confirm(el.getAttribute("data-confirm"))) {
                e.preventDefault();
                e.stopPropagation();
            }
        },
        true
    );

    /* Forms with unsaved changes: marked on input, asked about when another form is submitted. */
    doc.addEventListener("input", function (e) {
        var form = closest(e.target, "form[data-unsaved]");
        if (form) form.setAttribute("data-dirty", "1");
    });

    doc.addEventListener("submit", function (e) {
        var form = e.target;
        if (!form || form.tagName !== "FORM") return;
        var dirty = doc.querySelector("form[data-unsaved][data-dirty]");
        if (dirty && dirty !== form && !window.confirm(dirty.getAttribute("data-unsaved"))) {
            e.preventDefault();
            return;
        }
        var submitter = e.submitter || null;
        if (
            form.hasAttribute("data-confirm") &&
            !(submitter && submitter.hasAttribute("data-confirm")) &&
            !window.confirm(form.getAttribute("data-confirm"))
        ) {
            e.preventDefault();
            return;
        }
        if (form.hasAttribute("data-upload") && window.FormData && window.XMLHttpRequest) {
            e.preventDefault();
            upload(form, submitter);
        }
    });

    doc.addEventListener("change", function (e) {
        var el = e.target;
        var host = closest(el, "[data-autosubmit]");
        if (!host || !el.form) return;
        if (host !== el && el.tagName !== "SELECT") return;
        if (el.form.requestSubmit) el.form.requestSubmit();
        else el.form.submit();
    });

    function humanSize(n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
        return (n / 1024 / 1024).toFixed(1) + " MB";
    }

    function withoutHash(url) {
        var i = url.indexOf("#");
        return i < 0 ? url : url.slice(0, i);
    }

    function upload(form, submitter) {
        if (form.getAttribute("data-busy")) return;
        var data = new FormData(form);
        if (submitter && submitter.name) data.append(submitter.name, submitter.value);

        /* The template may provide <progress class="upload-progress" hidden>; else one is made. */
        var bar = form.querySelector("progress.upload-progress");
        var status = form.querySelector(".upload-status");
        if (!status) {
            status = doc.createElement("div");
            status.className = "upload-status";
            status.setAttribute("role", "status");
            if (bar) bar.parentNode.insertBefore(status, bar);
            else form.appendChild(status);
        }
        if (!bar) {
            bar = doc.createElement("progress");
            bar.className = "upload-progress";
        }
        status.classList.remove("is-error");
        status.textContent = "";
        bar.hidden = false;
        bar.max = 100;
        bar.value = 0;
        var label = doc.createElement("span");
        label.textContent = "正在上传…";
        status.appendChild(bar);
        status.appendChild(label);

        var buttons = form.querySelectorAll("button, input[type=submit]");
        function busy(on) {
            for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
            if (on) form.setAttribute("data-busy", "1");
            else form.removeAttribute("data-busy");
        }
        function fail(text) {
            busy(false);
            status.classList.add("is-error");
            status.textContent = text;
        }
        busy(true);

        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.upload.addEventListener("progress", function (ev) {
            if (!ev.lengthComputable || !ev.total) return;
            var pct = Math.round((ev.loaded * 100) / ev.total);
            bar.value = pct;
            label.textContent =
                "正在上传 " + pct + "%（" + humanSize(ev.loaded) + " / " + humanSize(ev.total) + "）";
        });
        xhr.upload.addEventListener("load", function () {
            bar.removeAttribute("value"); /* indeterminate while the server checks the file */
            label.textContent = "上传完成，正在校验和导入，请稍候…";
        });
        xhr.addEventListener("error", function () {
            fail("上传失败：网络连接中断，请重试。");
        });
        xhr.addEventListener("abort", function () {
            fail("上传已取消。");
        });
        xhr.addEventListener("load", function () {
            var url = xhr.responseURL || "";
            /* The server redirected (e.g. to the list with ?ok=imported): go there. */
            if (url && withoutHash(url) !== withoutHash(form.action)) {
                window.location.assign(url);
                return;
            }
            var type = xhr.getResponseHeader("Content-Type") || "";
            if (type.indexOf("text/html") !== 0 || !window.DOMParser) {
                fail("上传失败（" + xhr.status + "），请重试或联系管理员。");
                return;
            }
            var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
            var fresh = page.getElementById("main");
            var main = doc.getElementById("main");
            if (!fresh || !main) {
                fail("上传失败（" + xhr.status + "），请重试或联系管理员。");
                return;
            }
            main.parentNode.replaceChild(doc.importNode(fresh, true), main);
            if (page.title) doc.title = page.title;
            window.scrollTo(0, 0);
        });
        xhr.send(data);
    }
})();
