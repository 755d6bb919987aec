package topictransfer

import (
	"fmt"
	"math/rand/v2"
)

// scheduleLoad is traffic a fault schedule may add: delayed and
// transactional half messages for the topic, waiting on the source brokers
// when the transfer starts, delivered (the half one committed) at a random
// transition into the source topic, read-only or not, and consumed a few
// transitions later. The drain must wait for them; a transfer that
// finishes before they land would lose them, which the audit records.
type scheduleLoad struct {
	r         *rig
	deliverAt int
}

func newScheduleLoad(rnd *rand.Rand, r *rig) *scheduleLoad {
	if rnd.IntN(2) == 0 {
		return nil
	}
	r.src[0].AddDelayed("t", 0, 3, 2)
	r.src[1].AddHalf("t", 1, 1)
	return &scheduleLoad{r: r, deliverAt: rnd.IntN(40)}
}

func (l *scheduleLoad) String() string {
	return fmt.Sprintf("load: 2 delayed on src-0, 1 half on src-1, delivered at transition %d", l.deliverAt)
}

// tick runs the brokers' services and the consumer at a transition.
func (l *scheduleLoad) tick(step int) {
	if l == nil {
		return
	}
	switch step {
	case l.deliverAt:
		l.r.src[0].DeliverDelayed(3, 2)
		l.r.src[1].EndTransaction("t", 1, true)
		l.r.src[1].CheckTransactions()
	case l.deliverAt + 3:
		// The group reads what landed: 2 on src-0 queue 0, 1 on src-1
		// queue 1 (the rig's queues held 10 each). A rolled-back transfer
		// left the topic on the source, which this does not disturb.
		if _, ok := l.r.src[0].Topics()["t"]; ok {
			l.r.src[0].SetConsumerOffset("g", "t", 0, 12)
		}
		if _, ok := l.r.src[1].Topics()["t"]; ok {
			l.r.src[1].SetConsumerOffset("g", "t", 1, 11)
		}
	}
}
