;;; eglot_check.el --- headless check of the eglot setup in docs/editors.md  -*- lexical-binding: t -*-
;; emacs --batch -l eglot_check.el   (in a folder holding pyproject.toml)
;; Env: PEP725_LS (server executable).  Prints one line per step; exits 0 when all pass.

(require 'package)
(package-initialize)   ; Emacs 28: eglot is Debian's elpa-eglot (site-start also activates it)
(require 'eglot)
(require 'flymake)
(require 'cl-lib)

(defun check-log (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun check-fail (fmt &rest args)
  (check-log "FAIL: %s" (apply #'format fmt args))
  (kill-emacs 1))

;; --- the setup from docs/editors.md, with the server's path from the test ---
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((conf-toml-mode toml-ts-mode) . (,(getenv "PEP725_LS")))))
(setq-default eglot-workspace-configuration
              '(:pep725 (:severity (:legacy-depurl "error")
                         :nix (:source "vendored"))))

(defun pep725-ls-maybe-start ()
  (when (and buffer-file-name
             (string= (file-name-nondirectory buffer-file-name) "pyproject.toml"))
    (eglot-ensure)))
(add-hook 'conf-toml-mode-hook #'pep725-ls-maybe-start)
(add-hook 'toml-ts-mode-hook #'pep725-ls-maybe-start)
;; --- end of the documented setup ---

(setq eglot-sync-connect 30)
;; The workspace is no VC checkout: let its folder be the project.
(add-hook 'project-find-functions (lambda (dir) (cons 'transient (file-name-as-directory (expand-file-name dir)))))

(defun wait-for (what pred &optional seconds)
  (let ((deadline (+ (float-time) (or seconds 20))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred) (check-fail "timed out waiting for %s" what))))

(defun diagnostics ()
  (append (flymake-diagnostics) (bound-and-true-p eglot--diagnostics)))

(defun lsp-diag (d) (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))

(defun goto-text (needle &optional offset)
  (goto-char (point-min))
  (unless (search-forward needle nil t) (check-fail "buffer lacks %s" needle))
  (goto-char (+ (match-beginning 0) (or offset 0))))

(defun request (method params)
  (eglot--signal-textDocument/didChange)
  (jsonrpc-request (eglot--current-server-or-lose) method params :timeout 10))

(defun labels-of (result)
  (let ((items (if (vectorp result) result (plist-get result :items))))
    (mapcar (lambda (i) (plist-get i :label)) items)))

(find-file "pyproject.toml")
(check-log "emacs %s, eglot %s, mode %s" emacs-version
           (or (ignore-errors (package-get-version)) "1.9") major-mode)
(unless (eq major-mode 'conf-toml-mode) (check-fail "major mode is %s" major-mode))
(run-hooks 'post-command-hook)               ; eglot-ensure connects on the next command
(wait-for "eglot to connect" (lambda () (eglot-managed-p)))
(check-log "OK connected: %s" (plist-get (eglot--server-info (eglot-current-server)) :name))
(flymake-start)

;; 1. diagnostics, with the severity from eglot-workspace-configuration
(wait-for "legacy-depurl"
          (lambda () (cl-some (lambda (d) (equal (plist-get (lsp-diag d) :code) "legacy-depurl")) (diagnostics))))
(let ((d (cl-find-if (lambda (d) (equal (plist-get (lsp-diag d) :code) "legacy-depurl")) (diagnostics))))
  (unless (eq (flymake-diagnostic-type d) 'eglot-error)
    (check-fail "legacy-depurl has type %s, want eglot-error" (flymake-diagnostic-type d)))
  (check-log "OK diagnostic %s: %s" (flymake-diagnostic-type d) (flymake-diagnostic-text d)))

;; 2. hover
(goto-text "dep:generic/openssl" 5)
(let* ((hover (request :textDocument/hover (eglot--TextDocumentPositionParams)))
       (text (plist-get (plist-get hover :contents) :value)))
  (unless (and text (string-match-p "OpenSSL" text)) (check-fail "hover: %S" hover))
  (check-log "OK hover %s" (substring text 0 (min 80 (length text)))))

;; 3. completion after "dep:generic/
(goto-text "dep:generic/openssl")
(end-of-line)
(insert "\n  \"dep:generic/\",")
(backward-char 2)
(let ((names (labels-of (request :textDocument/completion (eglot--CompletionParams)))))
  (dolist (n '("zlib" "openssl" "libpq"))
    (unless (member n names) (check-fail "completion lacks %s" n)))
  (check-log "OK completion: %d names" (length names)))

;; 4. quick fix
(goto-text "pkg:generic/zlib" 2)
(wait-for "diagnostic on the zlib line"
          (lambda () (cl-some (lambda (d) (equal (plist-get (lsp-diag d) :code) "legacy-depurl")) (flymake-diagnostics (point)))))
(let* ((d (cl-find-if (lambda (d) (equal (plist-get (lsp-diag d) :code) "legacy-depurl")) (flymake-diagnostics (point))))
       (spec (lsp-diag d))
       (actions (request :textDocument/codeAction
                         (list :textDocument (eglot--TextDocumentIdentifier)
                               :range (plist-get spec :range)
                               :context (list :diagnostics (vector spec)))))
       (fix (cl-find "Migrate to dep:generic/zlib" actions :key (lambda (a) (plist-get a :title)) :test #'equal)))
  (unless fix (check-fail "no migrate action in %S" actions))
  (eglot--apply-workspace-edit (plist-get fix :edit))
  (goto-char (point-min))
  (unless (search-forward "  \"dep:generic/zlib\"," nil t) (check-fail "after the fix: %s" (buffer-string)))
  (check-log "OK quick fix applied"))

(check-log "ALL OK")
(ignore-errors (eglot-shutdown (eglot-current-server)))
(kill-emacs 0)
