package admin

import (
	"errors"
	"testing"
)

func TestScheduleOffsetsParse(t *testing.T) {
	d, m, err := scheduleOffsets(map[string]string{"scheduleMessageOffset_3": "5,9", "timerCongestNum": "1"})
	if err != nil || d[3] != 5 || m[3] != 9 || len(d) != 1 {
		t.Fatalf("delivered %v max %v err %v", d, m, err)
	}
	for _, bad := range []string{"5", "x,9", "5,y"} {
		if _, _, err := scheduleOffsets(map[string]string{"scheduleMessageOffset_3": bad}); !errors.Is(err, ErrBadResponse) {
			t.Fatalf("%q: err = %v, want ErrBadResponse", bad, err)
		}
	}
	if _, err := timerBacklog(map[string]string{"timerOffsetBehind": "many"}); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("timer: err = %v", err)
	}
	if n, err := timerBacklog(map[string]string{"timerOffsetBehind": "2", "timerCongestNum": "3"}); err != nil || n != 5 {
		t.Fatalf("timer = %d, %v", n, err)
	}
}
