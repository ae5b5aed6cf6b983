package dev.governor.controlplane.problem;

/** Ends a request with an RFC 9457 problem: what was wrong and what to do about it. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final String code;

    public ProblemException(int status, String title, String code, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String code() {
        return code;
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "Not found", "not-found", what);
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, "Bad request", code, detail);
    }
}
